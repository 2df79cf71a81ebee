import Foundation
import Glibc
import LinuxNetwork
import NetworkDriver
import NetworkFrames
import Testing

/// Macvlan links as DHCP mode makes them (one per Service, on the node's interface), checked against
/// what `ip -d link` and the namespace's /proc say, and against frames on the wire to the peer namespace.
@Suite(.enabled(if: NamespacePair.isAvailable, NamespacePair.unavailableReason))
struct MacvlanTests {
    static let macvlanMAC = MACAddress(0x02, 0, 0, 0, 0x01, 0x01)
    static let otherMAC = MACAddress(0x02, 0, 0, 0, 0x01, 0x02)
    /// IEEE 802 local experimental EtherType: nothing but the test sends it.
    static let testEtherType = EtherType(rawValue: 0x88B5)

    @Test func aCreatedMacvlanIsInBridgeModeWithTheGivenAddressAndUp() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)

            let link = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)

            let shown = try await pair.ip(pair.a, "-d", "-o", "link", "show", "mv0")
            #expect(shown.contains("mv0@eth0:"), "\(shown)")
            #expect(shown.contains("macvlan mode bridge"), "\(shown)")
            #expect(shown.contains("link/ether \(Self.macvlanMAC) "), "\(shown)")
            #expect(linkFlags(shown).contains("UP"), "\(shown)")
            #expect(link.name == "mv0")
            #expect(link.hardwareAddress == Self.macvlanMAC)
            #expect(link.isUp)
            #expect(link.kind == "macvlan")
            #expect(link.parent == eth0)
            #expect(Int32(shown.prefix { $0 != ":" }) == link.index)
        }
    }

    @Test func linksReportTheKindAndParentOfEachLink() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)
            _ = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)

            let links = try await driver.links()

            let macvlan = try #require(links.first { $0.name == "mv0" })
            #expect(macvlan.kind == "macvlan")
            #expect(macvlan.parent == eth0)
            let veth = try #require(links.first { $0.name == "eth0" })
            #expect(veth.kind == "veth")
            #expect(veth.parent == nil, "the veth's peer is in the other namespace")
            let lo = try #require(links.first { $0.name == "lo" })
            #expect(lo.kind == nil)
            #expect(lo.parent == nil)
        }
    }

    @Test func creatingAgainReusesTheMacvlan() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)
            let first = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)

            let second = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)

            #expect(second == first)
            #expect(try await driver.links().count == 3)
        }
    }

    @Test func creatingAgainWithAnotherAddressChangesItsAddressAndBringsItUp() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)
            let first = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)
            try await pair.ip(pair.a, "link", "set", "mv0", "down")

            let second = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.otherMAC)

            #expect(second.index == first.index)
            #expect(second.hardwareAddress == Self.otherMAC)
            #expect(second.isUp)
            let shown = try await pair.ip(pair.a, "-d", "-o", "link", "show", "mv0")
            #expect(shown.contains("link/ether \(Self.otherMAC) "), "\(shown)")
            #expect(linkFlags(shown).contains("UP"), "\(shown)")
        }
    }

    @Test func creatingAgainPutsAMacvlanOfAnotherModeIntoBridgeMode() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)
            try await pair.ip(pair.a, "link", "add", "mv0", "link", "eth0", "type", "macvlan", "mode", "private")

            _ = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)

            let shown = try await pair.ip(pair.a, "-d", "-o", "link", "show", "mv0")
            #expect(shown.contains("macvlan mode bridge"), "\(shown)")
        }
    }

    @Test func aLinkOfThatNameThatIsNotAMacvlanIsAnErrorAndLeftUntouched() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)
            try await pair.ip(pair.a, "link", "add", "mv0", "address", "02:00:00:00:01:0f", "type", "bridge")
            let before = try await pair.ip(pair.a, "-d", "-o", "link", "show", "mv0")

            let error = await #expect(throws: NetworkDriverError.self) {
                _ = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)
            }

            #expect(error?.code == EEXIST, "\(String(describing: error))")
            #expect(try await pair.ip(pair.a, "-d", "-o", "link", "show", "mv0") == before)
            #expect(before.contains(" bridge "), "\(before)")
        }
    }

    @Test func aMacvlanOfThatNameOnAnotherParentIsAnErrorAndLeftUntouched() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)
            try await pair.ip(pair.a, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1p")
            try await pair.ip(
                pair.a, "link", "add", "mv0", "link", "eth1", "address", "02:00:00:00:01:0f", "type", "macvlan",
                "mode", "private")
            let before = try await pair.ip(pair.a, "-d", "-o", "link", "show", "mv0")

            let error = await #expect(throws: NetworkDriverError.self) {
                _ = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)
            }

            #expect(error?.code == EEXIST, "\(String(describing: error))")
            #expect(try await pair.ip(pair.a, "-d", "-o", "link", "show", "mv0") == before)
        }
    }

    @Test func namesTheKernelWouldRefuseAreRejectedBeforeAskingIt() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)
            let invalid = ["", "a-name-of-16-byt", ".", "..", "mv/0", "mv:0", "mv 0", "mv\t0", "mv\u{0}0"]

            for name in invalid {
                let error = await #expect(throws: NetworkDriverError.self, "\"\(name)\"") {
                    _ = try await driver.createMacvlan(name: name, parent: eth0, hardwareAddress: Self.macvlanMAC)
                }
                #expect(error?.code == EINVAL, "\"\(name)\": \(String(describing: error))")
                #expect(error?.detail.contains("invalid link name") == true, "\"\(name)\": \(String(describing: error))")
            }
            #expect(try await driver.links().count == 2)
        }
    }

    @Test func aNameOfFifteenBytesIsAccepted() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)

            let link = try await driver.createMacvlan(
                name: "vip-0123456789a", parent: eth0, hardwareAddress: Self.macvlanMAC)

            #expect(link.name == "vip-0123456789a")
        }
    }

    @Test func creatingOnAMissingParentFailsWithTheKernelsError() async throws {
        try await NamespacePair.with { pair in
            let (driver, _) = try await pair.driver(for: pair.a)

            let error = await #expect(throws: NetworkDriverError.self) {
                _ = try await driver.createMacvlan(name: "mv0", parent: 999, hardwareAddress: Self.macvlanMAC)
            }

            #expect(error?.code == ENODEV, "\(String(describing: error))")
            #expect(try await driver.links().count == 2)
        }
    }

    /// The kernel does not refuse a macvlan on a parent that is down: it is up but has no carrier
    /// (LOWERLAYERDOWN) until the parent comes up.
    @Test func aMacvlanOnAParentThatIsDownWorksOnceTheParentIsUp() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)
            try await pair.ip(pair.a, "link", "set", "eth0", "down")

            let link = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)

            #expect(link.isUp)
            let shown = try await pair.ip(pair.a, "-o", "link", "show", "mv0")
            #expect(shown.contains("state LOWERLAYERDOWN"), "\(shown)")
            try await pair.ip(pair.a, "link", "set", "eth0", "up")
            try await waitUntil("mv0 is operational") {
                try await pair.ip(pair.a, "-o", "link", "show", "mv0").contains("state UP")
            }
        }
    }

    @Test func deletingRemovesTheLinkAndDeletingAgainSucceeds() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)
            let link = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)

            try await driver.deleteLink(link.index)

            #expect(try await driver.links().contains { $0.name == "mv0" } == false)
            let shown = try await Commands.run(["ip", "-n", pair.a, "link", "show", "mv0"], check: false)
            #expect(shown.status != 0, "\(shown.output)")
            try await driver.deleteLink(link.index)
        }
    }

    @Test func theReversePathFilterIsWhatTheNamespacesProcShows() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)
            let link = try await driver.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)

            try await driver.setReversePathFilter(2, link: link.index)
            #expect(try await pair.reversePathFilter(of: "mv0", in: pair.a) == "2")
            #expect(try await pair.sysctl("net.ipv4.conf.mv0.rp_filter", in: pair.a) == "2")

            try await driver.setReversePathFilter(0, link: link.index)
            #expect(try await pair.reversePathFilter(of: "mv0", in: pair.a) == "0")
            #expect(try await pair.sysctl("net.ipv4.conf.mv0.rp_filter", in: pair.a) == "0")
            #expect(try await pair.reversePathFilter(of: "eth0", in: pair.a) == "0", "other links keep theirs")
        }
    }

    @Test func aReversePathFilterModeOtherThanZeroToTwoIsRejected() async throws {
        try await NamespacePair.with { pair in
            let (driver, eth0) = try await pair.driver(for: pair.a)

            let error = await #expect(throws: NetworkDriverError.self) {
                try await driver.setReversePathFilter(3, link: eth0)
            }

            #expect(error?.code == EINVAL)
        }
    }

    @Test func aFrameSentOnTheMacvlanRightAfterCreationArrivesAtThePeerFromItsAddress() async throws {
        try await NamespacePair.with(quietA: true) { pair in
            let (driverA, eth0) = try await pair.driver(for: pair.a)
            let (driverB, linkB) = try await pair.driver(for: pair.b)
            let capture = try await driverB.capture(link: linkB, etherType: Self.testEtherType)
            let frame = EthernetFrame(
                destination: NamespacePair.macB, source: Self.macvlanMAC, etherType: Self.testEtherType,
                payload: Array(repeating: 0xAB, count: 46)
            ).encode()

            let macvlan = try await driverA.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)
            try await driverA.send(frame: frame, link: macvlan.index)

            let received = try #require(try await capture.next(timeout: .seconds(1)))
            #expect(received == frame)
            #expect(try EthernetFrame.decode(received).source == Self.macvlanMAC)
            await capture.close()
        }
    }

    @Test func aBroadcastFromThePeerIsCapturedOnTheMacvlan() async throws {
        try await NamespacePair.with(quietA: true) { pair in
            let (driverA, eth0) = try await pair.driver(for: pair.a)
            let (driverB, linkB) = try await pair.driver(for: pair.b)
            let macvlan = try await driverA.createMacvlan(name: "mv0", parent: eth0, hardwareAddress: Self.macvlanMAC)
            let capture = try await driverA.capture(link: macvlan.index, etherType: Self.testEtherType)
            let frame = EthernetFrame(
                destination: .broadcast, source: NamespacePair.macB, etherType: Self.testEtherType,
                payload: Array(repeating: 0xCD, count: 46)
            ).encode()

            try await driverB.send(frame: frame, link: linkB)

            #expect(try await capture.next(timeout: .seconds(1)) == frame)
            await capture.close()
        }
    }
}

/// The flags between `<` and `>` of an `ip link show` line.
private func linkFlags(_ line: String) -> [Substring] {
    guard let open = line.firstIndex(of: "<"), let close = line[open...].firstIndex(of: ">") else { return [] }
    return line[line.index(after: open)..<close].split(separator: ",")
}

extension NamespacePair {
    /// /proc/sys/net/ipv4/conf/LINK/rp_filter as a process in `namespace` reads it.
    func reversePathFilter(of link: String, in namespace: String) async throws -> String {
        let path = "/proc/sys/net/ipv4/conf/\(link)/rp_filter"
        return try await Commands.run(["ip", "netns", "exec", namespace, "cat", path]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func sysctl(_ key: String, in namespace: String) async throws -> String {
        try await Commands.run(["ip", "netns", "exec", namespace, "sysctl", "-n", key]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
