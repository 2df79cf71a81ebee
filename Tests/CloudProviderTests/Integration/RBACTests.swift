import CloudProvider
import KubernetesAPIServer
import KubernetesClient
import KubernetesModels
import Manifests
import Testing

/// The RBAC rules the manifests grant `kube-vip cloud-provider` (`Permissions.cloudProvider`), held against
/// what the real provider calls: the embedded API server enforces them as kube-apiserver's RBAC authorizer
/// would while the provider goes through everything it does, and every granted permission must have been
/// needed by that run, so the rules can neither be too narrow nor too wide.
@Suite("The cloud provider's RBAC rules are exactly what it calls", .timeLimit(.minutes(2)))
struct CloudProviderRBACTests {
    static let role = "kube-vip-swift/cloud-provider"
    static let admin = "kube-vip-swift/rbac-test"

    @Test("leader election with the ConfigMap and the Lease in kube-system (the shipped manifest)")
    func electedInKubeSystem() async throws {
        try await checkRules(configMapNamespace: "kube-system", leaseNamespace: "kube-system", election: true)
    }

    @Test("writeStatus, with the ConfigMap and the Lease each in a namespace of its own")
    func writeStatusWithSeparateNamespaces() async throws {
        try await checkRules(
            configMapNamespace: "kube-vip", leaseNamespace: "kube-vip-election", election: true, writeStatus: true)
    }

    @Test("without leader election no Lease permission is granted or needed")
    func withoutElection() async throws {
        try await checkRules(configMapNamespace: "kube-system", leaseNamespace: "kube-system", election: false)
    }

    /// Runs the scenario under the rules for these settings; fails on any denied request and on any granted
    /// (verb, resource, scope) the provider never used.
    func checkRules(
        configMapNamespace: String, leaseNamespace: String, election: Bool, writeStatus: Bool = false
    ) async throws {
        let grants = Permissions.cloudProvider(
            configMapNamespace: configMapNamespace, leaseNamespace: leaseNamespace, leaderElection: election,
            writeStatus: writeStatus)
        var settings = testSettings(writeStatus: writeStatus, host: "replica-a")
        settings.configMapNamespace = configMapNamespace
        let scenario = ProviderScenario(configMapNamespace: configMapNamespace, writeStatus: writeStatus)
        let audit = await RBACAudit.run(
            user: Self.role, grants: grants, admin: Self.admin, logger: quietLogger("api-server")
        ) { port in
            try await withClient(port: port, userAgent: Self.admin) { admin in
                try await withClient(port: port, userAgent: Self.role) { client in
                    try await scenario.prepare(admin, namespaces: [configMapNamespace, leaseNamespace])
                    var lease = quickElection(identity: "replica-a")
                    lease.namespace = leaseNamespace
                    try await withCloudProvider(
                        client: client, settings: settings, election: election ? lease : nil
                    ) { provider in
                        try await scenario.run(admin, provider)
                    }
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

/// Everything the provider does, each step checked for its visible outcome so that a request the provider
/// swallowed (a denied write is only logged) cannot pass unnoticed.
struct ProviderScenario {
    let configMapNamespace: String
    let writeStatus: Bool

    static let pool = "203.0.113.10-203.0.113.20"
    static let staticAddress = "203.0.113.50"

    func prepare(_ admin: KubernetesClient, namespaces: [String]) async throws {
        for namespace in Set(namespaces + ["shop"]) {
            do {
                _ = try await admin.create(.namespaces, namespace: nil, object: ["metadata": ["name": .string(namespace)]])
            } catch KubernetesClientError.alreadyExists {}
        }
    }

    func run(_ admin: KubernetesClient, _ provider: RunningProvider) async throws {
        // A broken ConfigMap: a Warning Event on it, and the same Event again (a patch) when an edit changes
        // the list of problems (another broken entry) but leaves the first one in place.
        try await writeConfigMap(admin, ["range-global": Self.pool, "cidr-default": "not-a-cidr"])
        try await eventually("the InvalidPoolEntry Warning") {
            try await invalidEntryCount(admin) >= 1
        }
        let reported = try await invalidEntryCount(admin)
        try await writeConfigMap(
            admin, ["range-global": Self.pool, "cidr-default": "not-a-cidr", "cidr-shop": "neither-a-cidr"])
        try await eventually("the InvalidPoolEntry Warning counted again") {
            try await invalidEntryCount(admin) > reported
        }
        try await writeConfigMap(admin, ["range-global": Self.pool])
        try await eventually("the provider allocating") { provider.isAllocating }

        // Allocations, in two namespaces.
        try await admin.createLoadBalancer("web")
        try await admin.createLoadBalancer("api", namespace: "shop")
        try await eventually("web and api recorded") {
            let web = try await admin.recordedAddress("web")
            let api = try await admin.recordedAddress("api", namespace: "shop")
            return web != nil && api != nil
        }

        // A static address, and a second Service asking for the same one: refused with a Warning.
        try await createStatic(admin, "pinned")
        try await eventually("pinned recorded") { try await admin.recordedAddress("pinned") == Self.staticAddress }
        try await createStatic(admin, "clash")
        try await eventually("clash's Warning") {
            try await admin.events().contains { $0.involvedObject.name == "clash" && $0.type == "Warning" }
        }
        #expect(try await admin.recordedAddress("clash") == nil)

        // Another class's Service is not touched.
        _ = try await admin.create(
            .services, namespace: "default",
            KubernetesService(
                metadata: ObjectMeta(name: "foreign", namespace: "default"),
                spec: ServiceSpec(
                    type: "LoadBalancer", ports: [ServicePort(protocol: "TCP", port: 80)],
                    loadBalancerClass: "example.com/other")))

        // Deleting the holder frees the address for the one waiting for it.
        _ = try await admin.delete(.services, namespace: "default", name: "pinned")
        try await eventually("clash gets the freed address") {
            try await admin.recordedAddress("clash") == Self.staticAddress
        }
        if writeStatus {
            try await eventually("clash's ingress") {
                try await admin.service("clash").status?.loadBalancer?.ingress?.first?.ip == Self.staticAddress
            }
        }
        #expect(try await admin.recordedAddress("foreign") == nil)
        #expect(try await admin.service("foreign").metadata.resourceVersion != nil)
    }

    private func writeConfigMap(_ admin: KubernetesClient, _ data: [String: String]) async throws {
        let configMap = ConfigMap(metadata: ObjectMeta(name: "kubevip", namespace: configMapNamespace), data: data)
        do {
            _ = try await admin.create(.configMaps, namespace: configMapNamespace, configMap)
        } catch KubernetesClientError.alreadyExists {
            _ = try await admin.update(.configMaps, namespace: configMapNamespace, configMap)
        }
    }

    /// The `count` of the InvalidPoolEntry Event about `cidr-default` (0 while there is none).
    private func invalidEntryCount(_ admin: KubernetesClient) async throws -> Int {
        let events = try await admin.events(namespace: configMapNamespace)
        return events.filter {
            $0.reason == "InvalidPoolEntry" && $0.type == "Warning" && $0.message?.contains("not-a-cidr") == true
        }.map { $0.count ?? 1 }.max() ?? 0
    }

    private func createStatic(_ admin: KubernetesClient, _ name: String) async throws {
        _ = try await admin.create(
            .services, namespace: "default",
            KubernetesService(
                metadata: ObjectMeta(name: name, namespace: "default"),
                spec: ServiceSpec(
                    type: "LoadBalancer", ports: [ServicePort(protocol: "TCP", port: 80)],
                    loadBalancerIP: Self.staticAddress)))
    }
}
