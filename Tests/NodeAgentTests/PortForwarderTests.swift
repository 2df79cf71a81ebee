import IPAM
import KubernetesClient
import Logging
import Metrics
import NetworkAddresses
import Synchronization
import Testing
import UPnP

@testable import NodeAgent

private let vip = AgentFixtures.ip("198.51.100.100")
private let web = ServiceKey(namespace: "default", name: "web")
private let tcp32380 = ForwardedPort(port: 32380, protocol: .tcp)
private let udp5353 = ForwardedPort(port: 5353, protocol: .udp)

private func forwarding(
    _ ports: [ForwardedPort] = [tcp32380], client: IPAddress = vip, lease: UInt32 = 3600, node: String = "node1"
) -> PortForwarding {
    PortForwarding(service: web, internalClient: client, interface: "eth0", ports: ports, leaseDuration: lease, node: node)
}

/// Runs one forwarder against an in-memory gateway in virtual time, collecting what it reports.
private final class ForwarderHarness: Sendable {
    let time = VirtualTime()
    let gateway = InMemoryGateway()
    let reported = Mutex<[UPnPEvent]>([])

    var events: [UPnPEvent] { reported.withLock { $0 } }
    var problems: [(reason: String, message: String)] {
        events.compactMap { if case .problem(_, let reason, let message) = $0 { (reason, message) } else { nil } }
    }
    var forwardedPorts: [[ForwardedPort]] {
        events.compactMap { if case .forwarded(_, _, _, let ports, _) = $0 { ports } else { nil } }
    }

    /// Starts the forwarder, lets it settle after its first pass, runs `body`, then stops it and waits for the end.
    func run(
        _ initial: PortForwarding, configure: (InMemoryGateway) -> Void = { _ in },
        _ body: (PortForwarder) async throws -> Void
    ) async throws {
        configure(gateway)
        let forwarder = PortForwarder(
            forwarding: initial, gateways: GatewayCache(control: gateway), control: gateway, clock: time.clock,
            metrics: UPnPMetrics(factory: NOOPMetricsHandler.instance), logger: Logger(label: "test.forwarder")
        ) { event in
            self.reported.withLock { $0.append(event) }
        }
        try await withThrowingDiscardingTaskGroup { group in
            let time = self.time
            group.addTask {
                await forwarder.run()
                time.note("finished")
            }
            try await settle(after: 0, "after starting")
            try await body(forwarder)
            forwarder.stop()
            try await time.wait(for: "the forwarder to finish") { $0.notes["finished"] == 1 }
        }
    }

    /// Waits until the forwarder sleeps again after `mark` (its pass is done).
    func settle(after mark: UInt64, _ occasion: String) async throws {
        try await time.wait(for: "the forwarder to settle \(occasion)") { $0.asleep(1, since: mark) }
    }

    var mark: UInt64 { time.snapshot.lastSleeperID }

    /// Moves virtual time to `instant` and waits for the next pass to end.
    func advance(to instant: Duration) async throws {
        let mark = self.mark
        time.advance(to: instant)
        try await settle(after: mark, "at \(instant)")
    }

    /// Moves virtual time to `instant` where no pass is due: nothing wakes.
    func move(to instant: Duration) {
        time.advance(to: instant)
    }

    /// Hands the forwarder a change and waits for the pass it causes.
    func update(_ forwarder: PortForwarder, _ next: PortForwarding) async throws {
        let mark = self.mark
        forwarder.update(next)
        try await settle(after: mark, "after an update")
    }
}

@Suite("UPnP port forwarder", .timeLimit(.minutes(1)))
struct PortForwarderTests {
    @Test func mapsEachPortToTheVIPAndAsksFromTheVIP() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding([tcp32380, udp5353])) { _ in
            #expect(
                harness.gateway.mappings == [
                    PortMapping(
                        externalPort: 5353, protocol: .udp, internalClient: vip, internalPort: 5353,
                        description: "kube-vip default/web node1", leaseDuration: 3600),
                    PortMapping(
                        externalPort: 32380, protocol: .tcp, internalClient: vip, internalPort: 32380,
                        description: "kube-vip default/web node1", leaseDuration: 3600),
                ])
            #expect(harness.gateway.requests("AddPortMapping").allSatisfy { $0.source == vip })
            #expect(harness.gateway.requests("discover").map(\.source) == [vip])
        }
    }

    @Test func reportsTheGatewaysExternalAddressAndTheMappedPorts() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding()) { _ in
            guard case .forwarded(let key, let gateway, let external, let ports, let lease)? = harness.events.first else {
                Issue.record("nothing reported: \(harness.events)")
                return
            }
            #expect(key == web)
            #expect(gateway.contains(InMemoryGateway.location))
            #expect(external == AgentFixtures.ip("100.128.0.1"))
            #expect(ports == [tcp32380])
            #expect(lease == 3600)
        }
    }

    @Test func refreshesAtHalfTheLeaseWithoutReportingAgain() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding(lease: 600)) { _ in
            #expect(harness.gateway.requests("AddPortMapping").count == 1)
            harness.move(to: .seconds(299))
            #expect(harness.time.snapshot.sleepers.map(\.deadline) == [.seconds(300)], "not before half the lease")
            try await harness.advance(to: .seconds(300))
            #expect(harness.gateway.requests("AddPortMapping").count == 2)
            #expect(harness.gateway.requests("discover").count == 1, "the gateway is remembered")
            #expect(harness.events.count == 1, "a refresh that changes nothing reports nothing")
        }
    }

    @Test func aPermanentMappingIsCheckedEveryFiveMinutes() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding(lease: 0)) { _ in
            #expect(harness.gateway.mappings.first?.leaseDuration == 0)
            try await harness.advance(to: .seconds(300))
            #expect(harness.gateway.requests("AddPortMapping").count == 2)
        }
    }

    @Test func aMappingOfThePortToAnotherHostIsAConflictAndLeftAlone() async throws {
        let harness = ForwarderHarness()
        let theirs = PortMapping(
            externalPort: 32380, protocol: .tcp, internalClient: AgentFixtures.ip("198.51.100.50"), internalPort: 8080,
            description: "game console", leaseDuration: 0)
        try await harness.run(forwarding(), configure: { $0.add(theirs) }) { _ in
            #expect(harness.gateway.mappings == [theirs])
            #expect(harness.gateway.requests("AddPortMapping").isEmpty, "a gateway may overwrite silently; never ask it")
            let conflict = harness.problems.first { $0.reason == "UPnPPortConflict" }
            #expect(conflict?.message.contains("198.51.100.50:8080") == true)
            #expect(conflict?.message.contains("game console") == true)
            #expect(harness.forwardedPorts == [[]])
        }
    }

    @Test func aConflictTheGatewayOnlyTellsByError718IsReportedToo() async throws {
        let harness = ForwarderHarness()
        let theirs = PortMapping(
            externalPort: 32380, protocol: .tcp, internalClient: AgentFixtures.ip("198.51.100.50"), internalPort: 8080,
            description: "other", leaseDuration: 0)
        try await harness.run(forwarding(), configure: { $0.add(theirs); $0.change { $0.hidesMappings = true } }) { _ in
            #expect(harness.problems.map(\.reason) == ["UPnPPortConflict"])
            #expect(harness.problems.first?.message.contains("718") == true)
        }
    }

    @Test func aConflictIsLookedAtAgainAndMappedOnceTheOtherMappingIsGone() async throws {
        let harness = ForwarderHarness()
        let theirs = PortMapping(
            externalPort: 32380, protocol: .tcp, internalClient: AgentFixtures.ip("198.51.100.50"), internalPort: 8080,
            description: "other", leaseDuration: 0)
        try await harness.run(forwarding(), configure: { $0.add(theirs) }) { _ in
            harness.gateway.change { $0.mappings = [:] }
            try await harness.advance(to: .seconds(60))
            #expect(harness.gateway.mappings.map(\.internalClient) == [vip])
            #expect(harness.forwardedPorts == [[], [tcp32380]])
        }
    }

    @Test func aGatewayThatOnlyAcceptsPermanentMappingsGetsLeaseZeroAndAWarning() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding([tcp32380, udp5353]), configure: { $0.change { $0.onlyPermanent = true } }) { _ in
            #expect(harness.gateway.mappings.map(\.leaseDuration) == [0, 0])
            #expect(harness.problems.map(\.reason).contains("UPnPPermanentMapping"))
            #expect(harness.gateway.requests("AddPortMapping").count == 3, "725 is learned once, not per port")
        }
    }

    @Test func aRefusalIsAWarningSayingWhatTheCodeMeans() async throws {
        let harness = ForwarderHarness()
        try await harness.run(
            forwarding(), configure: { $0.change { $0.addFaults[32380] = UPnPError(code: 606, text: "Action not authorized") } }
        ) { _ in
            let refusal = harness.problems.first { $0.reason == "UPnPMappingRefused" }
            #expect(refusal?.message.contains("606") == true)
            #expect(refusal?.message.contains("does not allow") == true)
        }
    }

    @Test func aProblemIsReportedOnceNotOnEveryRetry() async throws {
        let harness = ForwarderHarness()
        try await harness.run(
            forwarding(), configure: { $0.change { $0.addFaults[32380] = UPnPError(code: 606, text: "Action not authorized") } }
        ) { _ in
            try await harness.advance(to: .seconds(5))
            try await harness.advance(to: .seconds(15))
            #expect(harness.gateway.requests("AddPortMapping").count == 3)
            #expect(harness.problems.count == 1)
        }
    }

    @Test func noGatewayIsAWarningAndDiscoveryIsRetriedWithBackoff() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding(), configure: { $0.change { $0.discoverable = false } }) { _ in
            #expect(harness.problems.map(\.reason) == ["UPnPGatewayNotFound"])
            try await harness.advance(to: .seconds(5))
            #expect(harness.gateway.requests("discover").count == 2)
            harness.move(to: .seconds(14))
            #expect(harness.time.snapshot.sleepers.map(\.deadline) == [.seconds(15)], "the second wait is doubled")
            harness.gateway.change { $0.discoverable = true }
            try await harness.advance(to: .seconds(15))
            #expect(harness.gateway.mappings.count == 1)
        }
    }

    @Test func aGatewayThatStopsAnsweringIsDiscoveredAgain() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding(lease: 600)) { _ in
            harness.gateway.change { $0.unreachable = true }
            try await harness.advance(to: .seconds(300))
            #expect(harness.problems.map(\.reason) == ["UPnPGatewayFailed"])
            harness.gateway.change { $0.unreachable = false }
            try await harness.advance(to: .seconds(305))
            #expect(harness.gateway.requests("discover").count == 2, "the first, and again after the failure")
            #expect(harness.gateway.requests("AddPortMapping").count == 2)
        }
    }

    @Test func aPortChangeDeletesTheOldMappingAndMakesTheNewOne() async throws {
        let harness = ForwarderHarness()
        let https = ForwardedPort(port: 32443, protocol: .tcp)
        try await harness.run(forwarding()) { forwarder in
            try await harness.update(forwarder, forwarding([https]))
            #expect(harness.gateway.mappings.map(\.externalPort) == [32443])
            #expect(harness.forwardedPorts.last == [https])
        }
    }

    @Test func anAddressChangeMovesTheMappings() async throws {
        let harness = ForwarderHarness()
        let other = AgentFixtures.ip("198.51.100.101")
        try await harness.run(forwarding()) { forwarder in
            try await harness.update(forwarder, forwarding(client: other))
            #expect(harness.gateway.mappings.map(\.internalClient) == [other])
            #expect(harness.gateway.requests("DeletePortMapping").map(\.source) == [vip])
        }
    }

    @Test func aMappingThePreviousHolderMadeIsMadeAnewUnderThisNode() async throws {
        let harness = ForwarderHarness()
        let previous = PortMapping(
            externalPort: 32380, protocol: .tcp, internalClient: vip, internalPort: 32380,
            description: "kube-vip default/web node2", leaseDuration: 3600)
        try await harness.run(forwarding(), configure: { $0.add(previous) }) { _ in
            #expect(harness.gateway.mappings.map(\.description) == ["kube-vip default/web node1"])
            #expect(harness.gateway.requests("DeletePortMapping").count == 1)
            #expect(harness.problems.isEmpty)
        }
    }

    @Test func aRefreshOfItsOwnMappingDeletesNothing() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding(lease: 600)) { _ in
            try await harness.advance(to: .seconds(300))
            #expect(harness.gateway.requests("DeletePortMapping").isEmpty)
            #expect(harness.gateway.requests("AddPortMapping").count == 2)
        }
    }

    @Test func aMoveToAnotherInterfaceDiscoversTheGatewayThere() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding()) { forwarder in
            var moved = forwarding()
            moved.interface = "eth1"
            try await harness.update(forwarder, moved)
            #expect(harness.gateway.requests("discover").count == 2)
        }
    }

    @Test func aPermanentOnlyGatewayIsNotRetriedLikeAFailure() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding(), configure: { $0.change { $0.onlyPermanent = true } }) { _ in
            #expect(harness.time.snapshot.sleepers.map(\.deadline) == [.seconds(60)], "not the 5 s retry")
        }
    }

    @Test func stoppingDeletesTheMappingsFromTheVIP() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding([tcp32380, udp5353])) { _ in }
        #expect(harness.gateway.mappings.isEmpty)
        #expect(harness.gateway.requests("DeletePortMapping").map(\.source) == [vip, vip])
    }

    @Test func stoppingLeavesAMappingTheNextHolderRefreshedSince() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding()) { _ in
            var refreshed = harness.gateway.mappings[0]
            refreshed.description = "kube-vip default/web node2"
            harness.gateway.add(refreshed)
        }
        #expect(harness.gateway.mappings.map(\.description) == ["kube-vip default/web node2"])
        #expect(harness.gateway.requests("DeletePortMapping").isEmpty)
    }

    @Test func anUnansweredDeletionHoldsUpTheStopOnlyForTheBudget() async throws {
        let harness = ForwarderHarness()
        try await harness.run(forwarding()) { forwarder in
            harness.gateway.change { $0.deletionHangs = true }
            forwarder.stop()
            try await harness.time.wait(for: "the deletion budget's timer") { $0.sleepers.contains { $0.deadline == .seconds(2) } }
            harness.time.advance(to: .seconds(2))
        }
        #expect(harness.gateway.requests("DeletePortMapping").count == 1)
    }
}
