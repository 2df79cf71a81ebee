import KubernetesClient
import Logging
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Synchronization
import Testing

@testable import NodeAgent

/// A DHCP server as a neighbour of the in-memory driver: answers DISCOVER with an OFFER and REQUEST with an
/// ACK for one fixed address, and keeps every client message it saw.
private final class FakeDHCPServer: Sendable {
    static let address = IPAddress(ipv4: 0xC633_6402)  // 198.51.100.2
    static let hardwareAddress = MACAddress(2, 0, 0, 0, 0, 2)
    let offered: IPAddress
    let seen = Mutex<[DHCPMessage]>([])
    /// Frames delivered before every answer (garbage, other clients' replies), to check they are dropped.
    let noise: [[UInt8]]

    init(offering offered: IPAddress, noise: [[UInt8]] = []) {
        self.offered = offered
        self.noise = noise
    }

    var messages: [DHCPMessageType] { seen.withLock { $0.compactMap(\.options.messageType) } }

    func answer(_ frame: [UInt8], link: Int32) -> [[UInt8]] {
        guard let ethernet = try? EthernetFrame.decode(frame), ethernet.etherType == .ipv4,
            let packet = try? IPv4Packet.decode(ethernet.payload),
            let udp = try? UDPDatagram.decode(packet.payload, source: packet.header.source, destination: packet.header.destination),
            udp.destinationPort == 67, let message = try? DHCPMessage.decode(udp.payload)
        else { return [] }
        seen.withLock { $0.append(message) }
        let type: DHCPMessageType
        switch message.options.messageType {
        case .discover: type = .offer
        case .request: type = .ack
        default: return []
        }
        let reply = DHCPMessage(
            operation: .reply, transactionID: message.transactionID, yourAddress: offered,
            clientHardwareAddress: message.clientHardwareAddress,
            options: DHCPOptions(
                messageType: type, subnetMask: IPAddress(ipv4: 0xFFFF_FF00), leaseTime: 120,
                serverIdentifier: Self.address))
        let encoded = DHCPFrame.encode(
            reply, sourceHardwareAddress: Self.hardwareAddress, destinationHardwareAddress: .broadcast,
            source: Self.address, destination: .ipv4Broadcast, sourcePort: 67, destinationPort: 68)
        return noise + [encoded]
    }
}

private final class EventLog: Sendable {
    let events = Mutex<[DHCPEvent]>([])
    var all: [DHCPEvent] { events.withLock { $0 } }
}

@Suite("DHCP lease keeper (in memory)", .timeLimit(.minutes(2)))
struct DHCPLeaseKeeperTests {
    static let parent = NetworkLink(index: 2, name: "eth0", hardwareAddress: MACAddress(2, 0, 0, 0, 0, 1), isUp: true, isLoopback: false)
    static let parentAddress = LinkAddress(link: 2, address: IPAddress(ipv4: 0xC633_640B), prefixLength: 24)
    static let claim = DHCPClaim(
        name: "vip-test", parent: .named("eth0"), hardwareAddress: MACAddress(0x0A, 0, 0, 0, 0, 0x42), hostName: "web-lb",
        broadcast: false, reversePathFilter: 2, rememberedAddress: nil)

    /// Runs a keeper until `until` holds, then stops it and waits for it to finish. Real time: the generous limit
    /// only matters when the whole suite keeps both cooperative threads busy with CPU-bound tests for a while.
    private func run(
        server: FakeDHCPServer, driver: InMemoryNetworkDriver, metrics: CountingMetricsFactory = CountingMetricsFactory(),
        retryPeriod: Duration = .milliseconds(50), until: @escaping @Sendable ([DHCPEvent]) -> Bool
    ) async throws -> [DHCPEvent] {
        driver.addNeighbor { frame, link in server.answer(frame, link: link) }
        let log = EventLog()
        var logger = Logger(label: "keeper-tests")
        logger.logLevel = .critical
        let keeper = DHCPLeaseKeeper(
            claim: Self.claim, driver: driver, clock: .continuous, metrics: DHCPMetrics(factory: metrics),
            retryPeriod: retryPeriod, logger: logger
        ) { event in log.events.withLock { $0.append(event) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await keeper.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            while !until(log.all), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            keeper.stop()
            try await group.waitForAll()
        }
        return log.all
    }

    private func driver() -> InMemoryNetworkDriver {
        InMemoryNetworkDriver(clock: .continuous, links: [Self.parent], addresses: [Self.parentAddress])
    }

    private static func bound(_ events: [DHCPEvent]) -> Bool {
        events.contains { if case .bound = $0 { true } else { false } }
    }

    @Test func itCreatesTheMacvlanWithTheClaimsMACOnTheParentAndSetsItsReversePathFilter() async throws {
        let driver = driver()
        _ = try await run(server: FakeDHCPServer(offering: IPAddress(ipv4: 0xC633_6432)), driver: driver, until: Self.bound)
        let created = try #require(driver.createdMacvlans.first)
        #expect(created.name == "vip-test")
        #expect(created.parent == 2)
        #expect(created.hardwareAddress == Self.claim.hardwareAddress)
        #expect(driver.reversePathFilters[created.index] == 2)
    }

    @Test func itReportsTheLeasedAddressAfterTheFullExchange() async throws {
        let server = FakeDHCPServer(offering: IPAddress(ipv4: 0xC633_6432))
        let events = try await run(server: server, driver: driver(), until: Self.bound)
        #expect(events.first == .bound(name: "vip-test", address: IPAddress(ipv4: 0xC633_6432), server: FakeDHCPServer.address, leaseTime: .seconds(120)))
        #expect(Array(server.messages.prefix(2)) == [.discover, .request])
        #expect(server.seen.withLock { $0.first?.options.hostName } == "web-lb")
        #expect(server.seen.withLock { $0.first?.options.clientIdentifier } == [1, 0x0A, 0, 0, 0, 0, 0x42])
    }

    @Test func stoppingReleasesTheLeaseToTheServerAndDeletesTheMacvlan() async throws {
        let server = FakeDHCPServer(offering: IPAddress(ipv4: 0xC633_6432))
        let driver = driver()
        _ = try await run(server: server, driver: driver, until: Self.bound)
        #expect(server.messages.last == .release)
        let release = try #require(driver.sentFrames.last?.frame)
        #expect(release.destination == FakeDHCPServer.hardwareAddress, "RELEASE is unicast to the server")
        #expect(driver.deletedLinks == driver.createdMacvlans.map(\.index))
        #expect(driver.openCaptures == 0)
    }

    @Test func malformedFramesAndOtherClientsRepliesAreDroppedAndCounted() async throws {
        let otherClient = DHCPMessage(
            operation: .reply, transactionID: 7, yourAddress: IPAddress(ipv4: 0xC633_6433),
            clientHardwareAddress: MACAddress(2, 9, 9, 9, 9, 9),
            options: DHCPOptions(messageType: .offer, serverIdentifier: FakeDHCPServer.address))
        let otherFrame = DHCPFrame.encode(
            otherClient, sourceHardwareAddress: FakeDHCPServer.hardwareAddress, destinationHardwareAddress: .broadcast,
            source: FakeDHCPServer.address, destination: .ipv4Broadcast, sourcePort: 67, destinationPort: 68)
        var truncated = otherFrame
        truncated.removeLast(200)
        var badChecksum = otherFrame
        badChecksum[40] ^= 0xFF  // inside the UDP payload: the UDP checksum no longer matches
        let garbage: [UInt8] = Array(otherFrame.prefix(14)) + [0x45, 0, 0, 20]
        let server = FakeDHCPServer(
            offering: IPAddress(ipv4: 0xC633_6432), noise: [otherFrame, truncated, badChecksum, garbage])
        let metrics = CountingMetricsFactory()
        let events = try await run(server: server, driver: driver(), metrics: metrics, until: Self.bound)
        #expect(Self.bound(events), "the good replies still get through")
        #expect(metrics.total("kube_vip_dhcp_messages_dropped_total") >= 4)
    }

    @Test func aMacvlanThatCannotBeCreatedIsReportedAndRetried() async throws {
        let driver = driver()
        driver.fail(.createMacvlan, times: 2)
        let events = try await run(server: FakeDHCPServer(offering: IPAddress(ipv4: 0xC633_6432)), driver: driver, until: Self.bound)
        #expect(events.contains { if case .failed = $0 { true } else { false } })
        #expect(Self.bound(events))
        #expect(driver.calls(.createMacvlan) == 3)
    }

    @Test func stoppingWhileTheMacvlanCannotBeMadeEndsTheKeeperAtOnce() async throws {
        let driver = driver()
        driver.fail(.createMacvlan, times: nil)
        let start = ContinuousClock.now
        let events = try await run(
            server: FakeDHCPServer(offering: IPAddress(ipv4: 0xC633_6432)), driver: driver, retryPeriod: .seconds(3600)
        ) {
            $0.contains { if case .failed = $0 { true } else { false } }
        }
        #expect(events.count == 1)
        #expect(ContinuousClock.now - start < .seconds(30), "run() ended without waiting out the hour")
        #expect(driver.createdMacvlans.isEmpty)
    }

    @Test func anAddressLeftOnAnAdoptedMacvlanIsRemoved() async throws {
        let leftover = NetworkLink(
            index: 9, name: "vip-test", hardwareAddress: Self.claim.hardwareAddress, isUp: true, isLoopback: false,
            kind: "macvlan", parent: 2)
        let stale = LinkAddress(link: 9, address: IPAddress(ipv4: 0xC633_6440), prefixLength: 32)
        let driver = InMemoryNetworkDriver(
            clock: .continuous, links: [Self.parent, leftover], addresses: [Self.parentAddress, stale])
        _ = try await run(server: FakeDHCPServer(offering: IPAddress(ipv4: 0xC633_6432)), driver: driver, until: Self.bound)
        #expect(driver.removedAddresses.map(\.address) .contains(stale))
    }
}
