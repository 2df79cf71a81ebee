import Foundation
import KubernetesAPIServer
import KubernetesClient
import KubernetesModels
import Manifests
import NetworkAddresses
import Testing

@testable import NodeAgent

/// The RBAC rules the manifests grant `kube-vip manager` (`Permissions.nodeAgent`), held against what the real
/// agent calls: the embedded API server enforces them as kube-apiserver's RBAC authorizer would while the
/// agent takes an address, records it, moves it and lets it go; every granted permission must have been
/// needed by that run, so the rules can neither be too narrow nor too wide.
@Suite("The node agent's RBAC rules are exactly what it calls", .timeLimit(.minutes(2)))
struct NodeAgentRBACTests {
    static let role = "kube-vip-swift/manager"
    static let admin = "kube-vip-swift/rbac-test"

    @Test("global election over every namespace, with UPnP (the shipped DaemonSet)")
    func globalElection() async throws {
        try await checkRules(namespace: "default", watchNamespace: nil, perService: false, upnp: true)
    }

    @Test("per-Service election over every namespace")
    func perServiceElection() async throws {
        try await checkRules(namespace: "shop", watchNamespace: nil, perService: true)
    }

    @Test("svc_namespace with per-Service election: namespaced grants only")
    func perServiceElectionInOneNamespace() async throws {
        try await checkRules(namespace: "shop", watchNamespace: "shop", perService: true)
    }

    @Test("svc_namespace with global election: the Services' namespace and the Lease's")
    func globalElectionInOneNamespace() async throws {
        try await checkRules(namespace: "shop", watchNamespace: "shop", perService: false)
    }

    /// Runs the scenario under the rules for these settings; fails on any denied request and on any granted
    /// (verb, resource, scope) the agent never used.
    func checkRules(namespace: String, watchNamespace: String?, perService: Bool, upnp: Bool = false) async throws {
        let grants = Permissions.nodeAgent(
            watchNamespace: watchNamespace, leaseNamespace: "kube-system", perServiceElection: perService)
        let audit = await RBACAudit.run(
            user: Self.role, grants: grants, admin: Self.admin, logger: testLogger("api-server")
        ) { port in
            try await withUserClient(port: port, userAgent: Self.admin) { admin in
                try await withUserClient(port: port, userAgent: Self.role) { client in
                    let world = AgentWorld(client: client)
                    var node = world.node(
                        "node1", election: perService ? .perService : nil, gateway: upnp ? InMemoryGateway() : nil)
                    var settings = node.settings
                    settings.watchNamespace = watchNamespace
                    node = AgentNode(settings: settings, driver: node.driver, gateway: node.gateway)
                    let scenario = AgentScenario(admin: admin, namespace: namespace, node: node, perService: perService)
                    try await scenario.prepare()
                    try await world.run(node) { try await scenario.run() }
                    try await scenario.checkReleased()
                }
            }
        }
        // The scenario's own failure (an outcome that did not happen) is reported after the denials that
        // explain it.
        #expect(audit.denied.isEmpty, "denied: \(audit.denied.map(\.description))")
        #expect(audit.nonResourceRequests.isEmpty, "non-resource calls: \(audit.nonResourceRequests.map(\.description))")
        if let failure = audit.failure { throw failure }
        #expect(audit.unused.isEmpty, "granted but never used: \(audit.unused.map(\.description))")
    }
}

/// Everything the agent asks of the API server, each step checked for its visible outcome so that a request
/// the agent swallowed (a denied write is only logged and retried) cannot pass unnoticed.
struct AgentScenario {
    let admin: KubernetesClient
    let namespace: String
    let node: AgentNode
    let perService: Bool

    static let first = "198.51.100.100"
    static let second = "198.51.100.101"

    var lease: (namespace: String, name: String) {
        perService ? (namespace, "kubevip-web") : ("kube-system", AgentSettings.defaultGlobalLease)
    }

    func prepare() async throws {
        if namespace != "default" {
            _ = try await admin.create(.namespaces, namespace: nil, object: ["metadata": ["name": .string(namespace)]])
        }
        var annotations = [
            "kube-vip.io/loadbalancerIPs": Self.first, "kube-vip.io/allow-reconcile-without-endpoints": "true",
        ]
        if node.gateway != nil { annotations["kube-vip.io/forwardUPNP"] = "true" }
        var service = AgentFixtures.service("web", namespace: namespace, annotations: annotations, ports: [32380])
        service.metadata.uid = nil
        service.metadata.creationTimestamp = nil
        service.spec?.externalTrafficPolicy = nil
        _ = try await admin.create(.services, namespace: namespace, object: try JSONValue(encoding: service))
        let slice = AgentFixtures.slice(for: "web", namespace: namespace, node: "node1")
        _ = try await admin.create(.endpointSlices, namespace: namespace, object: try JSONValue(encoding: slice))
    }

    func run() async throws {
        let first = AgentFixtures.ip(Self.first)
        try await eventually(timeout: .seconds(30)) { node.driver.holds(first) }
        // The status and the vipHost annotation are written (two patches, status subresource and object).
        try await eventually(timeout: .seconds(30)) {
            let service = try await web()
            return service.metadata.annotations?["kube-vip.io/vipHost"] == "node1"
                && service.status?.loadBalancer?.ingress?.first?.ip == Self.first
        }
        if let gateway = node.gateway {
            try await eventually(timeout: .seconds(30)) { gateway.mappings.map(\.externalPort) == [32380] }
            try await eventually(timeout: .seconds(30)) {
                try await web().status?.loadBalancer?.ingress?.compactMap(\.ip).contains("100.128.0.1") == true
            }
        }
        try await eventually(timeout: .seconds(30)) { try await announcements() == 1 }

        // Moving the address away and back announces the first one again: the same Event, patched.
        try await readdress(Self.second)
        try await eventually(timeout: .seconds(30)) { node.driver.holds(AgentFixtures.ip(Self.second)) }
        try await readdress(Self.first)
        try await eventually(timeout: .seconds(30)) { node.driver.holds(first) }
        try await eventually(timeout: .seconds(30)) { try await announcements() == 2 }
        #expect(try await holder() == "node1")
    }

    /// After a graceful stop the Lease is released (an update).
    func checkReleased() async throws {
        #expect(try await holder() == "")
    }

    private func web() async throws -> KubernetesService {
        try await admin.get(.services, namespace: namespace, name: "web", as: KubernetesService.self)
    }

    private func readdress(_ address: String) async throws {
        _ = try await admin.patchServiceMetadata(
            namespace: namespace, name: "web", annotations: ["kube-vip.io/loadbalancerIPs": address],
            fieldManager: "rbac-test")
    }

    /// The `count` of the AddressAnnounced Event for the first address (0 while there is none).
    private func announcements() async throws -> Int {
        let events = try await admin.list(.events, namespace: namespace, as: Event.self).items
        return events.filter { $0.reason == "AddressAnnounced" && $0.message?.contains(Self.first + " ") == true }
            .map { $0.count ?? 1 }.max() ?? 0
    }

    private func holder() async throws -> String? {
        let lease = try await admin.get(.leases, namespace: lease.namespace, name: lease.name, as: Lease.self)
        return lease.spec?.holderIdentity ?? ""
    }
}


/// A client for the embedded server that introduces itself as `userAgent` (the user RBAC sees).
func withUserClient(port: Int, userAgent: String, _ body: (KubernetesClient) async throws -> Void) async throws {
    var configuration = ClientConfiguration(server: "http://127.0.0.1:\(port)")
    configuration.rateLimit = .unlimited
    configuration.userAgent = userAgent
    try await KubernetesClient.withClient(configuration: configuration, logger: testLogger("client"), body)
}
