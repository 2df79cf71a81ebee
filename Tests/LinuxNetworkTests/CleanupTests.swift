import LinuxNetwork
import NetworkDriver
import NetworkFrames
import Testing

/// The sockets behind captures and address subscriptions go away with them (and so do their
/// reader threads, which close the sockets on their way out). Checked through the namespace's own
/// /proc/net tables, which list only that namespace's sockets.
@Suite(.enabled(if: NamespacePair.isAvailable, NamespacePair.unavailableReason))
struct CleanupTests {
    @Test func closingACaptureClosesItsSocket() async throws {
        try await NamespacePair.with { pair in
            let (driver, link) = try await pair.driver(for: pair.b)
            let capture = try await driver.capture(link: link, etherType: .arp)
            #expect(try await pair.packetSockets(in: pair.b) == 1)

            await capture.close()

            try await waitUntil("the capture's socket is closed") { try await pair.packetSockets(in: pair.b) == 0 }
        }
    }

    @Test func releasingACaptureWithoutClosingItClosesItsSocket() async throws {
        try await NamespacePair.with { pair in
            let (driver, link) = try await pair.driver(for: pair.b)
            var capture: (any FrameCapture)? = try await driver.capture(link: link, etherType: .arp)
            #expect(capture != nil)
            #expect(try await pair.packetSockets(in: pair.b) == 1)

            capture = nil

            try await waitUntil("the capture's socket is closed") { try await pair.packetSockets(in: pair.b) == 0 }
        }
    }

    @Test func cancellingTheConsumerOfAddressChangesClosesItsSocket() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let changes = driver.addressChanges()
            #expect(try await pair.addressSubscriptions(in: pair.a) == 1)

            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in changes {}
                }
                group.cancelAll()
            }

            try await waitUntil("the subscription's socket is closed") {
                try await pair.addressSubscriptions(in: pair.a) == 0
            }
        }
    }

    @Test func releasingAnAddressChangeStreamClosesItsSocket() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            var changes: AsyncStream<AddressChange>? = driver.addressChanges()
            #expect(changes != nil)
            #expect(try await pair.addressSubscriptions(in: pair.a) == 1)

            changes = nil

            try await waitUntil("the subscription's socket is closed") {
                try await pair.addressSubscriptions(in: pair.a) == 0
            }
        }
    }
}

extension NamespacePair {
    /// AF_PACKET sockets open in `namespace`.
    func packetSockets(in namespace: String) async throws -> Int {
        let table = try await Commands.run(["ip", "netns", "exec", namespace, "cat", "/proc/net/packet"]).output
        return table.split(separator: "\n").count - 1
    }

    /// rtnetlink sockets in `namespace` subscribed to exactly the IPv4 and IPv6 address groups.
    func addressSubscriptions(in namespace: String) async throws -> Int {
        let table = try await Commands.run(["ip", "netns", "exec", namespace, "cat", "/proc/net/netlink"]).output
        return table.split(separator: "\n").dropFirst().filter { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[1] == "0" && fields[3] == "00000110"
        }.count
    }
}
