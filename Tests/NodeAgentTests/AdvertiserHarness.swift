import KubernetesClient
import Logging
import Metrics
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Synchronization
import Testing

@testable import NodeAgent

/// One `AddressAdvertiser` running against an `InMemoryNetworkDriver` in virtual time. Every step a test
/// takes (moving time, a command, a received frame) waits until the advertiser is asleep again, so checks
/// see the state at that exact instant.
final class AdvertiserHarness: Sendable {
    let time: VirtualTime
    let driver: InMemoryNetworkDriver
    let metrics: CountingMetricsFactory
    let advertiser: AddressAdvertiser
    let claim: AddressClaim
    private let recorded = AdvertiserEventLog()
    private let stopSignal = Doorbell()

    private static let finished = "advertiser finished"

    init(claim: AddressClaim, schedule: AnnouncementSchedule, links: [NetworkLink], addresses: [LinkAddress]) {
        let time = VirtualTime()
        self.time = time
        self.claim = claim
        driver = InMemoryNetworkDriver(clock: time.clock, links: links, addresses: addresses)
        metrics = CountingMetricsFactory()
        var logger = Logger(label: "advertiser-tests")
        logger.logLevel = .critical
        let recorded = self.recorded
        advertiser = AddressAdvertiser(
            claim: claim, driver: driver, schedule: schedule, clock: time.clock,
            metrics: AdvertiserMetrics(factory: metrics), logger: logger,
            report: { event in recorded.entries.withLock { $0.append((time.now, event)) } })
    }

    var now: Duration { time.now }
    var events: [AdvertiserEvent] { recorded.entries.withLock { $0.map(\.1) } }
    var eventTimes: [(Duration, AdvertiserEvent)] { recorded.entries.withLock { $0 } }
    var hasFinished: Bool { time.snapshot.notes[Self.finished, default: 0] > 0 }

    /// Frames sent, with their times (relative to time zero).
    var sentFrames: [InMemoryNetworkDriver.SentFrame] { driver.sentFrames }
    var sendTimes: [Duration] { driver.sentFrames.map(\.time) }

    /// Waits until the advertiser sleeps in one wait begun after `mark`, or its run() has returned.
    func settle(
        after mark: UInt64, _ occasion: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let finished = Self.finished
        try await time.wait(
            for: "the advertiser to settle \(occasion)",
            until: { $0.notes[finished, default: 0] > 0 || $0.asleep(since: mark) }, sourceLocation: sourceLocation)
    }

    /// Moves time forward through every wake-up on the way, settling after each.
    func advance(by duration: Duration, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await advance(to: now + duration, sourceLocation: sourceLocation)
    }

    func advance(to instant: Duration, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        while let next = time.snapshot.earliestDeadline, next <= instant {
            let mark = time.snapshot.lastSleeperID
            time.advance(to: next)
            try await settle(after: mark, "at \(next)", sourceLocation: sourceLocation)
        }
        time.advance(to: instant)
    }

    /// Delivers a frame to the link's captures and lets the advertiser react; a frame nobody captures
    /// changes nothing.
    func deliver(_ frame: [UInt8], on link: Int32, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let mark = time.snapshot.lastSleeperID
        guard driver.deliver(frame, on: link) > 0 else { return }
        try await settle(after: mark, "after a frame arrived", sourceLocation: sourceLocation)
    }

    /// Someone removes the address from the link and the supervisor passes the kernel's notice on.
    func removeAddressBehindItsBack(link: Int32, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let mark = time.snapshot.lastSleeperID
        driver.simulateAddressRemoved(claim.address, link: link)
        await advertiser.addressRemoved()
        try await settle(after: mark, "after the address was removed", sourceLocation: sourceLocation)
    }

    func withdraw(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        await advertiser.withdraw()
        try await waitUntilFinished("after withdraw()", sourceLocation: sourceLocation)
    }

    /// Cancels the task running `run()` and waits until it has returned.
    func cancel(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        stopSignal.ring()
        try await waitUntilFinished("after cancellation", sourceLocation: sourceLocation)
    }

    private func waitUntilFinished(_ occasion: String, sourceLocation: SourceLocation) async throws {
        let finished = Self.finished
        try await time.wait(
            for: "run() to return \(occasion)", until: { $0.notes[finished, default: 0] > 0 },
            sourceLocation: sourceLocation)
    }

    fileprivate func run() async {
        let advertiser = self.advertiser
        let stopSignal = self.stopSignal
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await advertiser.run() }
            group.addTask { await stopSignal.wait() }
            await group.next()
            group.cancelAll()
        }
        time.note(Self.finished)
    }
}

/// What the advertiser reported, with the virtual time of each report.
final class AdvertiserEventLog: Sendable {
    let entries = Mutex<[(Duration, AdvertiserEvent)]>([])
}

/// Runs an advertiser for the length of `body`, starting it and letting it settle first; cancels and
/// awaits it however `body` ends.
func withAdvertiser(
    _ claim: AddressClaim, schedule: AnnouncementSchedule = .standard(period: .seconds(3)),
    links: [NetworkLink] = [AdvertiserFixtures.testLink], addresses: [LinkAddress] = AdvertiserFixtures.testSubnets,
    prepare: (InMemoryNetworkDriver) -> Void = { _ in },
    _ body: (AdvertiserHarness) async throws -> Void
) async throws {
    let harness = AdvertiserHarness(claim: claim, schedule: schedule, links: links, addresses: addresses)
    prepare(harness.driver)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await harness.run() }
        do {
            try await harness.settle(after: 0, "after starting")
            try await body(harness)
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
    }
}

// MARK: Fixtures (documentation addresses only)

/// The advertiser tests' addresses, links and foreign hosts, kept out of the test module's global namespace.
enum AdvertiserFixtures {
    static let ownMAC = MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x01)
    static let foreignMAC = MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x99)
    static let testLink = NetworkLink.ethernet(2, "eth0", ownMAC)
    static let otherLink = NetworkLink.ethernet(3, "eth1", MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x02))
    static let linkLocal = address("fe80::1")
    /// eth0's own addresses: an IPv4 and an IPv6 subnet, and its link-local address.
    static let testSubnets = [
        LinkAddress(link: 2, address: address("198.51.100.2"), prefixLength: 24),
        LinkAddress(link: 2, address: address("2001:db8::2"), prefixLength: 64),
        LinkAddress(link: 2, address: linkLocal, prefixLength: 64),
    ]
    static let vip4 = address("198.51.100.10")
    static let vip6 = address("2001:db8::10")

    static func address(_ text: String) -> IPAddress {
        guard let address = IPAddress(text) else { fatalError("bad test address \(text)") }
        return address
    }

    /// A host that owns `address` at `owner`: answers ARP probes for it (IPv4) or DAD probes with an
    /// advertisement (IPv6), as a real owner would.
    static func owner(of address: IPAddress, at owner: MACAddress) -> InMemoryNetworkDriver.Neighbor {
        { sent, _ in
            guard let frame = try? EthernetFrame.decode(sent) else { return [] }
            if let arp = try? ARPPacket.decode(frame), arp.operation == .request, arp.targetProtocolAddress == address {
                return [arpReply(from: owner, claiming: address, to: arp.senderHardwareAddress)]
            }
            if let packet = try? NeighborDiscoveryPacket.decode(frame),
                case .solicitation(let solicitation) = packet.message, solicitation.target == address
            {
                return [neighborAdvertisement(from: owner, for: address)]
            }
            return []
        }
    }

    static func arpReply(from sender: MACAddress, claiming address: IPAddress, to target: MACAddress) -> [UInt8] {
        ARPPacket(
            operation: .reply, senderHardwareAddress: sender, senderProtocolAddress: address,
            targetHardwareAddress: target, targetProtocolAddress: IPAddress(ipv4: 0)
        ).ethernetFrame(destination: target).encode()
    }

    static func neighborAdvertisement(from sender: MACAddress, for address: IPAddress) -> [UInt8] {
        NeighborDiscoveryPacket(
            source: address, destination: .ipv6AllNodes,
            message: .advertisement(
                NeighborAdvertisement(
                    isSolicited: false, isOverride: true, target: address, targetLinkLayerAddress: sender))
        ).ethernetFrame(source: sender, destination: MACAddress(0x33, 0x33, 0, 0, 0, 1)).encode()
    }
}

/// Lets the advertiser suites name the fixtures unqualified.
protocol AdvertiserTesting {}

extension AdvertiserTesting {
    var ownMAC: MACAddress { AdvertiserFixtures.ownMAC }
    var foreignMAC: MACAddress { AdvertiserFixtures.foreignMAC }
    var testLink: NetworkLink { AdvertiserFixtures.testLink }
    var otherLink: NetworkLink { AdvertiserFixtures.otherLink }
    var linkLocal: IPAddress { AdvertiserFixtures.linkLocal }
    var testSubnets: [LinkAddress] { AdvertiserFixtures.testSubnets }
    var vip4: IPAddress { AdvertiserFixtures.vip4 }
    var vip6: IPAddress { AdvertiserFixtures.vip6 }

    func address(_ text: String) -> IPAddress { AdvertiserFixtures.address(text) }

    /// A claim that probes first.
    func fresh(_ address: IPAddress, on interface: InterfaceChoice = .named("eth0")) -> AddressClaim {
        AddressClaim(address: address, interface: interface, takeOver: false)
    }

    /// A claim handed over from another kube-vip node.
    func takeOver(_ address: IPAddress, on interface: InterfaceChoice = .named("eth0")) -> AddressClaim {
        AddressClaim(address: address, interface: interface, takeOver: true)
    }

    func owner(of address: IPAddress, at owner: MACAddress) -> InMemoryNetworkDriver.Neighbor {
        AdvertiserFixtures.owner(of: address, at: owner)
    }

    func arpReply(from sender: MACAddress, claiming address: IPAddress, to target: MACAddress) -> [UInt8] {
        AdvertiserFixtures.arpReply(from: sender, claiming: address, to: target)
    }

    func neighborAdvertisement(from sender: MACAddress, for address: IPAddress) -> [UInt8] {
        AdvertiserFixtures.neighborAdvertisement(from: sender, for: address)
    }
}

// MARK: Metrics

/// A `MetricsFactory` that keeps counter totals by label, so that each test reads its own.
final class CountingMetricsFactory: MetricsFactory {
    private final class Totals: Sendable {
        let values = Mutex<[String: Int64]>([:])
    }

    private let totals = Totals()

    func total(_ label: String) -> Int64 { totals.values.withLock { $0[label, default: 0] } }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        CountingHandler(label: label, totals: totals)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        IgnoringHandler()
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { IgnoringHandler() }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    private final class CountingHandler: CounterHandler {
        let label: String
        let totals: Totals

        init(label: String, totals: Totals) {
            self.label = label
            self.totals = totals
        }

        func increment(by amount: Int64) { totals.values.withLock { $0[label, default: 0] += amount } }
        func reset() { totals.values.withLock { $0[label] = 0 } }
    }

    private final class IgnoringHandler: RecorderHandler, TimerHandler {
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func recordNanoseconds(_ duration: Int64) {}
    }
}
