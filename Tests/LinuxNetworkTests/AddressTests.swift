import Glibc
import LinuxNetwork
import NetworkAddresses
import NetworkDriver
import Testing

@Suite(.enabled(if: NamespacePair.isAvailable, NamespacePair.unavailableReason))
struct AddressTests {
    static let vip = IPAddress(ipv4: 0xC633_6464)  // 198.51.100.100
    static let vip6 = IPAddress(ipv6: 0x2001_0db8 << 96 | 0x100)  // 2001:db8::100

    @Test func addedIPv4AddressIsDeprecatedAndPermanent() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let link = try await pair.linkIndex(in: pair.a)
            try await driver.addAddress(Self.vip, prefixLength: 32, link: link)

            let shown = try await pair.ip(pair.a, "-4", "addr", "show", "dev", "eth0")
            #expect(shown.contains("inet 198.51.100.100/32 scope global deprecated eth0"), "\(shown)")
            // The kernel reports the preferred lifetime of a permanent IPv4 address as forever even
            // when it is 0 (`ip addr add … preferred_lft 0` shows the same); the flag is what counts.
            #expect(shown.contains("valid_lft forever"), "\(shown)")
        }
    }

    @Test func addingAnAddressThatIsAlreadyThereSucceeds() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let link = try await pair.linkIndex(in: pair.a)
            try await driver.addAddress(Self.vip, prefixLength: 32, link: link)
            try await driver.addAddress(Self.vip, prefixLength: 32, link: link)

            let shown = try await pair.ip(pair.a, "-4", "-o", "addr", "show", "dev", "eth0")
            #expect(shown.split(separator: "\n").count == 1, "\(shown)")
        }
    }

    @Test func addressesListsAnAddedAddress() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let link = try await pair.linkIndex(in: pair.a)
            try await driver.addAddress(Self.vip, prefixLength: 32, link: link)
            try await pair.ip(pair.a, "addr", "add", "198.51.100.11/24", "dev", "eth0")

            let addresses = try await driver.addresses()
            #expect(addresses.contains(LinkAddress(link: link, address: Self.vip, prefixLength: 32)))
            #expect(addresses.contains(LinkAddress(link: link, address: IPAddress(ipv4: 0xC633_640B), prefixLength: 24)))
            #expect(addresses.contains { $0.address == IPAddress(ipv4: 0x7F00_0001) && $0.prefixLength == 8 })
        }
    }

    @Test func removeAddressRemovesItAndRemovingAgainSucceeds() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let link = try await pair.linkIndex(in: pair.a)
            try await driver.addAddress(Self.vip, prefixLength: 32, link: link)
            try await driver.removeAddress(Self.vip, prefixLength: 32, link: link)

            #expect(try await !pair.ip(pair.a, "addr", "show", "dev", "eth0").contains("198.51.100.100"))
            #expect(try await !driver.addresses().contains { $0.address == Self.vip })
            try await driver.removeAddress(Self.vip, prefixLength: 32, link: link)
        }
    }

    @Test func addedIPv6AddressSkipsDuplicateDetectionAndIsUsableAtOnce() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let link = try await pair.linkIndex(in: pair.a)
            try await driver.addAddress(Self.vip6, prefixLength: 128, link: link)

            let shown = try await pair.ip(pair.a, "-6", "addr", "show", "dev", "eth0")
            let line = try #require(shown.split(separator: "\n").first { $0.contains("2001:db8::100/128") })
            #expect(line.contains("nodad"), "\(line)")
            #expect(line.contains("deprecated"), "\(line)")
            #expect(!line.contains("tentative"), "\(line)")
            #expect(try await driver.addresses().contains(LinkAddress(link: link, address: Self.vip6, prefixLength: 128)))
        }
    }

    @Test func removeIPv6AddressRemovesItAndRemovingAgainSucceeds() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let link = try await pair.linkIndex(in: pair.a)
            try await driver.addAddress(Self.vip6, prefixLength: 128, link: link)
            try await driver.removeAddress(Self.vip6, prefixLength: 128, link: link)

            #expect(try await !pair.ip(pair.a, "addr", "show", "dev", "eth0").contains("2001:db8::100"))
            try await driver.removeAddress(Self.vip6, prefixLength: 128, link: link)
        }
    }

    @Test func addressesFlagsAnAddressWhoseDuplicateDetectionFailed() async throws {
        try await NamespacePair.with { pair in
            try await pair.ip(pair.b, "addr", "add", "2001:db8::12/64", "dev", "eth0", "nodad")
            // Start the kernel's detection at once and give up after 100 ms instead of about 1-2 s.
            for setting in ["net.ipv6.conf.eth0.router_solicitation_delay=0", "net.ipv6.neigh.eth0.retrans_time_ms=100"] {
                try await Commands.run(["ip", "netns", "exec", pair.a, "sysctl", "-qw", setting])
            }
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let link = try await pair.linkIndex(in: pair.a)

            try await pair.ip(pair.a, "addr", "add", "2001:db8::12/64", "dev", "eth0")

            try await waitUntil("duplicate address detection fails") {
                try await pair.ip(pair.a, "addr", "show", "dev", "eth0").contains("dadfailed")
            }
            let peerAddress = IPAddress(ipv6: 0x2001_0db8 << 96 | 0x12)
            let listed = try await driver.addresses().first { $0.address == peerAddress }
            #expect(listed == LinkAddress(link: link, address: peerAddress, prefixLength: 64, duplicateDetected: true))
            #expect(try await driver.addresses().contains { $0.address.family == .ipv4 && $0.duplicateDetected } == false)
        }
    }

    @Test func addingToAMissingLinkThrowsTheKernelsError() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let error = await #expect(throws: NetworkDriverError.self) {
                try await driver.addAddress(Self.vip, prefixLength: 32, link: 9999)
            }
            #expect(error?.code == ENODEV)
            #expect(error?.operation == "RTM_NEWADDR")
            // The refusal leaves the socket usable for the next request.
            #expect(try await !driver.links().isEmpty)
        }
    }

    @Test func anInvalidPrefixLengthIsRejectedBeforeTheKernel() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let link = try await pair.linkIndex(in: pair.a)
            let error = await #expect(throws: NetworkDriverError.self) {
                try await driver.addAddress(Self.vip, prefixLength: 33, link: link)
            }
            #expect(error?.code == EINVAL)
        }
    }
}
