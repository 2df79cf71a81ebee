import Foundation
import KubernetesAPIServer
import KubernetesClient
import KubernetesModels
import LeaderElection
import Logging
import Metrics
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import ServiceLifecycle
import Testing
import UPnP

@testable import NodeAgent

/// The whole agent in process: the real embedded API server and client, leader election over HTTP, and the
/// in-memory network driver in place of the kernel.
@Suite("Node agent against the embedded API server")
struct NodeAgentIntegrationTests {
    static let vip = AgentFixtures.ip("198.51.100.100")

    @Test func theLeaderHoldsTheAddressAndRecordsItInTheService() async throws {
        try await withAgentWorld { world in
            let node1 = world.node("node1")
            try await world.run(node1) {
                try await world.createService("web", annotations: ["kube-vip.io/loadbalancerIPs": "198.51.100.100"], ports: [80, 443])
                try await world.createEndpoints(for: "web", node: "node2")
                try await eventually { node1.driver.holds(Self.vip) }
                let service = try await eventually { () -> KubernetesService? in
                    let service = try await world.service("web")
                    return service.metadata.annotations?["kube-vip.io/vipHost"] == "node1" ? service : nil
                }
                #expect(service.status?.loadBalancer?.ingress == [
                    LoadBalancerIngress(ip: "198.51.100.100", ports: [PortStatus(port: 80, protocol: "TCP"), PortStatus(port: 443, protocol: "TCP")]),
                ])
                #expect(try await world.leaseHolder("kube-system", "plndr-svcs-lock") == "node1")
            }
        }
    }

    @Test func gracefulShutdownWithdrawsTheAddressAndReleasesTheLease() async throws {
        try await withAgentWorld { world in
            let node1 = world.node("node1")
            try await world.run(node1) {
                try await world.createService("web", annotations: [
                    "kube-vip.io/loadbalancerIPs": "198.51.100.100", "kube-vip.io/allow-reconcile-without-endpoints": "true",
                ])
                try await eventually { node1.driver.holds(Self.vip) }
            }
            #expect(!node1.driver.holds(Self.vip))
            #expect(try await world.leaseHolder("kube-system", "plndr-svcs-lock") == "")
        }
    }

    @Test func aSecondNodeTakesOverAtOnceWhenTheLeaderStops() async throws {
        try await withAgentWorld { world in
            let node1 = world.node("node1")
            let node2 = world.node("node2")
            try await world.createService("web", annotations: [
                "kube-vip.io/loadbalancerIPs": "198.51.100.100", "kube-vip.io/allow-reconcile-without-endpoints": "true",
            ])
            let first = world.group(for: node1)
            let second = world.group(for: node2)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await first.run() }
                try await eventually { node1.driver.holds(Self.vip) }
                tasks.addTask { try await second.run() }
                try await Task.sleep(for: .milliseconds(300))  // node2 is following before node1 leaves
                await first.triggerGracefulShutdown()
                let stopped = ContinuousClock.now
                try await eventually { node2.driver.holds(Self.vip) }
                #expect(ContinuousClock.now - stopped < .seconds(2), "a released Lease is taken at the next retry")
                #expect(!node1.driver.holds(Self.vip))
                await second.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    @Test func perServiceElectionUsesTheServicesOwnLease() async throws {
        try await withAgentWorld { world in
            let node1 = world.node("node1", election: .perService)
            try await world.run(node1) {
                try await world.createService("web", annotations: [
                    "kube-vip.io/loadbalancerIPs": "198.51.100.100", "kube-vip.io/allow-reconcile-without-endpoints": "true",
                ])
                try await eventually { node1.driver.holds(Self.vip) }
                #expect(try await world.leaseHolder("default", "kubevip-web") == "node1")
            }
            #expect(try await world.leaseHolder("default", "kubevip-web") == "")
        }
    }

    @Test func anAddressLeftByAnEarlierRunIsRemovedWhenThisNodeDoesNotHoldIt() async throws {
        try await withAgentWorld { world in
            // Another node holds the global Lease, so this one must not keep the VIP a killed run left behind.
            try await world.holdLease("kube-system", "plndr-svcs-lock", by: "node9")
            try await world.createService("web", annotations: [
                "kube-vip.io/loadbalancerIPs": "198.51.100.100", "kube-vip.io/allow-reconcile-without-endpoints": "true",
            ])
            let node1 = world.node("node1", leftover: [Self.vip])
            try await world.run(node1) {
                try await eventually { !node1.driver.holds(Self.vip) }
            }
        }
    }
}

@Suite("Node agent against the embedded API server: UPnP")
struct NodeAgentUPnPIntegrationTests {
    static let vip = AgentFixtures.ip("198.51.100.100")
    static let annotations = [
        "kube-vip.io/loadbalancerIPs": "198.51.100.100", "kube-vip.io/allow-reconcile-without-endpoints": "true",
        "kube-vip.io/forwardUPNP": "true",
    ]

    @Test func theHolderMapsThePortsAndListsTheGatewaysAddressInTheStatus() async throws {
        try await withAgentWorld { world in
            let gateway = InMemoryGateway()
            let node1 = world.node("node1", gateway: gateway)
            try await world.run(node1) {
                try await world.createService("web", annotations: Self.annotations, ports: [32380])
                try await eventually(timeout: .seconds(30)) { gateway.mappings.map(\.externalPort) == [32380] }
                let ingress = try await eventually(timeout: .seconds(30)) { () -> [String]? in
                    let ips = try await world.service("web").status?.loadBalancer?.ingress?.compactMap(\.ip) ?? []
                    return ips.count == 2 ? ips : nil
                }
                #expect(ingress == ["198.51.100.100", "100.128.0.1"])
                #expect(gateway.mappings.first?.internalClient == Self.vip)
            }
            #expect(gateway.mappings.isEmpty, "SIGTERM deletes the mapping")
            #expect(gateway.requests("DeletePortMapping").map(\.source) == [Self.vip])
        }
    }

    @Test func optingOutAndBackInQuicklyLeavesTheMappingInPlace() async throws {
        try await withAgentWorld { world in
            let gateway = InMemoryGateway()
            let node1 = world.node("node1", gateway: gateway)
            try await world.run(node1) {
                try await world.createService("web", annotations: Self.annotations, ports: [32380])
                try await eventually(timeout: .seconds(30)) { gateway.mappings.count == 1 }
                // A slow deletion: a new forwarder that did not wait would map first and lose its mapping to it.
                gateway.change { $0.deletionDelay = .milliseconds(300) }
                for forward in ["false", "true"] {
                    _ = try await world.client.patchServiceMetadata(
                        namespace: "default", name: "web", annotations: ["kube-vip.io/forwardUPNP": forward],
                        fieldManager: "test")
                }
                // The new forwarder waits for the old one's deletion, then maps again.
                try await eventually(timeout: .seconds(30)) { gateway.requests("AddPortMapping").count >= 2 }
                try await eventually(timeout: .seconds(30)) { gateway.mappings.count == 1 }
                try await Task.sleep(for: .milliseconds(500))
                #expect(gateway.mappings.count == 1)
                gateway.change { $0.deletionDelay = nil }
            }
        }
    }
}

// MARK: - The world

struct AgentNode: Sendable {
    let settings: AgentSettings
    let driver: InMemoryNetworkDriver
    /// The network's UPnP gateway, when the node has UPnP on.
    var gateway: InMemoryGateway?
}

struct AgentWorld: Sendable {
    let client: KubernetesClient

    func node(
        _ name: String, election: AgentSettings.ElectionMode? = nil, leftover: [IPAddress] = [], gateway: InMemoryGateway? = nil
    ) -> AgentNode {
        var settings = AgentSettings(nodeName: name)
        settings.enableUPnP = gateway != nil
        if let election { settings.election = election }
        settings.interface = "eth0"
        settings.leaseDuration = .seconds(3)
        settings.renewDeadline = .seconds(2)
        settings.retryPeriod = .milliseconds(200)
        settings.announcementPeriod = .milliseconds(500)
        let link = NetworkLink(index: 2, name: "eth0", hardwareAddress: MACAddress(2, 0, 0, 0, 0, 1), isUp: true, isLoopback: false)
        let driver = InMemoryNetworkDriver(
            clock: .continuous, links: [link],
            addresses: leftover.map { LinkAddress(link: 2, address: $0, prefixLength: 32) })
        return AgentNode(settings: settings, driver: driver, gateway: gateway)
    }

    /// Runs the node's agent for the length of `body`, then stops it as SIGTERM would and waits for it.
    func run(_ node: AgentNode, _ body: () async throws -> Void) async throws {
        let group = group(for: node)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// The node's agent in a ServiceGroup, for tests that start and stop several on their own schedule.
    func group(for node: AgentNode) -> ServiceGroup {
        let agent = NodeAgent(
            settings: node.settings, client: client, driver: node.driver, gatewayControl: node.gateway,
            metricsFactory: NOOPMetricsHandler.instance, logger: testLogger("agent-\(node.settings.nodeName)"))
        return ServiceGroup(services: [agent], logger: testLogger("group"))
    }

    func createService(_ name: String, annotations: [String: String], ports: [Int] = [80]) async throws {
        var service = AgentFixtures.service(name, annotations: annotations, ports: ports)
        service.metadata.uid = nil
        service.metadata.creationTimestamp = nil
        service.spec?.externalTrafficPolicy = nil
        _ = try await client.create(.services, namespace: "default", object: try JSONValue(encoding: service))
    }

    func createEndpoints(for service: String, node: String) async throws {
        let slice = AgentFixtures.slice(for: service, node: node)
        _ = try await client.create(.endpointSlices, namespace: "default", object: try JSONValue(encoding: slice))
    }

    func service(_ name: String) async throws -> KubernetesService {
        try await client.get(.services, namespace: "default", name: name, as: KubernetesService.self)
    }

    func leaseHolder(_ namespace: String, _ name: String) async throws -> String? {
        let lease = try await client.get(.leases, namespace: namespace, name: name, as: Lease.self)
        return lease.spec?.holderIdentity ?? ""
    }

    func holdLease(_ namespace: String, _ name: String, by holder: String) async throws {
        let now = MicroTime(Date())
        let lease = Lease(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: LeaseSpec(holderIdentity: holder, leaseDurationSeconds: 3600, acquireTime: now, renewTime: now))
        _ = try await client.createOrUpdateLease(lease, namespace: namespace)
    }
}

func withAgentWorld(_ body: (AgentWorld) async throws -> Void) async throws {
    try await EmbeddedAPIServer.withRunningServer(logger: testLogger("api-server")) { port in
        var configuration = ClientConfiguration(server: "http://127.0.0.1:\(port)")
        configuration.rateLimit = .unlimited
        let client = try KubernetesClient(configuration: configuration, logger: testLogger("client"))
        do {
            try await body(AgentWorld(client: client))
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// Quiet unless `NODE_AGENT_TEST_LOGS=1`.
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["NODE_AGENT_TEST_LOGS"] == nil ? .critical : .debug
    return logger
}

/// Polls until `condition` holds (every 20 ms, up to `timeout`); fails the test otherwise.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
    _ = try await eventually(timeout: timeout) { try await condition() ? true : nil }
}

func eventually<T>(timeout: Duration = .seconds(10), _ value: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let result = try await value() { return result }
        guard ContinuousClock.now < deadline else { throw TimedOut() }
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String { "the condition did not hold in time" }
}

extension InMemoryNetworkDriver {
    func holds(_ address: IPAddress) -> Bool {
        currentAddresses.contains { $0.address == address }
    }
}
