import CloudProvider
import KubernetesClient
import KubernetesModels
import Testing

@Suite("The cloud-provider role against the embedded API server", .timeLimit(.minutes(1)))
struct ProviderIntegrationTests {
    static let pools = ["range-global": "192.0.2.10-192.0.2.20"]

    @Test("a Service created through the API gets the annotation, the label and spec.loadBalancerIP")
    func recordsAllocation() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                try await client.writePools(Self.pools)
                try await withCloudProvider(client: client, settings: testSettings()) { _ in
                    try await client.createLoadBalancer("web")
                    try await eventually("web's record") { try await client.recordedAddress("web") != nil }
                    let web = try await client.service("web")
                    #expect(web.metadata.annotations?["kube-vip.io/loadbalancerIPs"] == "192.0.2.10")
                    #expect(web.metadata.labels?["implementation"] == "kube-vip")
                    #expect(web.spec?.loadBalancerIP == "192.0.2.10")
                    #expect(web.status?.loadBalancer?.ingress ?? [] == [])
                }
            }
        }
    }

    @Test("with writeStatus the address also appears in status.loadBalancer.ingress")
    func writesStatus() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                try await client.writePools(Self.pools)
                try await withCloudProvider(client: client, settings: testSettings(writeStatus: true)) { _ in
                    try await client.createLoadBalancer("web")
                    try await eventually("web's ingress") {
                        try await client.service("web").status?.loadBalancer?.ingress?.isEmpty == false
                    }
                    #expect(
                        try await client.service("web").status?.loadBalancer?.ingress == [
                            LoadBalancerIngress(ip: "192.0.2.10")
                        ])
                }
            }
        }
    }

    @Test("an AddressAssigned Event tells kubectl describe which address the Service got")
    func postsEvent() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                try await client.writePools(Self.pools)
                try await withCloudProvider(client: client, settings: testSettings(host: "replica-a")) { _ in
                    try await client.createLoadBalancer("web")
                    try await eventually("an AddressAssigned Event") {
                        try await client.events().contains { $0.reason == "AddressAssigned" }
                    }
                    let event = try #require(try await client.events().first { $0.reason == "AddressAssigned" })
                    #expect(event.involvedObject.kind == "Service")
                    #expect(event.involvedObject.name == "web")
                    #expect(event.type == "Normal")
                    #expect(event.message == "assigned 192.0.2.10 from the global pool")
                    #expect(event.source?.component == "kube-vip-cloud-provider")
                    #expect(event.source?.host == "replica-a")
                }
            }
        }
    }

    @Test("a broken ConfigMap entry is posted once as a Warning Event on the ConfigMap, not again when allocation starts")
    func configMapProblemPostedOnce() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                try await client.writePools(Self.pools.merging(["cidr-shop": "not-a-cidr"]) { $1 })
                try await withCloudProvider(client: client, settings: testSettings()) { provider in
                    try await eventually("the provider allocating") { provider.isAllocating }
                    // Warnings are written before Normal notes, so once this Service's AddressAssigned is
                    // there, every Warning posted until allocation started is too.
                    try await client.createLoadBalancer("web")
                    try await eventually("an AddressAssigned Event") {
                        try await client.events().contains { $0.reason == "AddressAssigned" }
                    }
                    let warnings = try await client.events(namespace: "kube-system").filter {
                        $0.reason == "InvalidPoolEntry"
                    }
                    #expect(warnings.count == 1)
                    #expect(warnings.first?.involvedObject.kind == "ConfigMap")
                    #expect(warnings.first?.message?.contains("not-a-cidr") == true)
                    #expect(warnings.first?.count ?? 1 == 1)
                }
            }
        }
    }

    @Test("a ConfigMap mistake made again after it was fixed is posted again")
    func configMapProblemPostedAgainAfterFix() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                let broken = Self.pools.merging(["cidr-shop": "not-a-cidr"]) { $1 }
                func invalidEntryCount() async throws -> Int {
                    try await client.events(namespace: "kube-system").filter { $0.reason == "InvalidPoolEntry" }
                        .map { $0.count ?? 1 }.reduce(0, +)
                }
                try await client.writePools(broken)
                try await withCloudProvider(client: client, settings: testSettings()) { provider in
                    try await eventually("the provider allocating") { provider.isAllocating }
                    try await eventually("the first Warning") { try await invalidEntryCount() == 1 }
                    // The watch delivers both edits in order: the fix clears what was posted, the mistake is new.
                    try await client.writePools(Self.pools)
                    try await client.writePools(broken)
                    try await eventually("the Warning again") { try await invalidEntryCount() == 2 }
                }
            }
        }
    }

    @Test("a restarted provider moves nothing and writes nothing for Services that show their record")
    func restartIsQuiet() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                try await client.writePools(Self.pools)
                let names = ["a", "b", "c"]
                try await withCloudProvider(client: client, settings: testSettings(writeStatus: true)) { _ in
                    for name in names { try await client.createLoadBalancer(name) }
                    try await eventually("three records and ingresses") {
                        try await names.asyncAllSatisfy {
                            try await client.service($0).status?.loadBalancer?.ingress?.isEmpty == false
                        }
                    }
                }
                let before = try await client.list(.services, namespace: "default", as: KubernetesService.self).items
                try await withCloudProvider(client: client, settings: testSettings(writeStatus: true)) { provider in
                    try await eventually("the new provider allocating") { provider.isAllocating }
                    // Writes are applied in order (one at a time), so once this one lands every write the
                    // restart decided on has landed too.
                    try await client.createLoadBalancer("d")
                    try await eventually("d's record") { try await client.recordedAddress("d") != nil }
                    let after = try await client.list(.services, namespace: "default", as: KubernetesService.self).items
                    for name in names {
                        let old = before.first { $0.metadata.name == name }
                        let new = after.first { $0.metadata.name == name }
                        #expect(new?.metadata.resourceVersion == old?.metadata.resourceVersion, "\(name) was written")
                        #expect(new?.metadata.annotations == old?.metadata.annotations, "\(name) moved")
                    }
                    let taken = Set(before.compactMap { $0.metadata.annotations?["kube-vip.io/loadbalancerIPs"] })
                    #expect(try await client.recordedAddress("d").map { !taken.contains($0) } == true)
                }
            }
        }
    }

    @Test("Services created before the ConfigMap are served as soon as it appears")
    func lateConfigMap() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                try await withCloudProvider(client: client, settings: testSettings()) { provider in
                    try await client.createLoadBalancer("a")
                    try await client.createLoadBalancer("b")
                    try await eventually("two pending Services") {
                        provider.status.snapshot.pendingServices == 2
                    }
                    #expect(try await client.recordedAddress("a") == nil)
                    try await client.writePools(Self.pools)
                    try await eventually("both records") {
                        let a = try await client.recordedAddress("a")
                        let b = try await client.recordedAddress("b")
                        return a != nil && b != nil
                    }
                    let records = try await client.allRecords()
                    #expect(Set(records.values) == ["192.0.2.10", "192.0.2.11"])
                }
            }
        }
    }

    @Test("a Service switched to ClusterIP through the API loses its marks, and its address serves a pending one")
    func typeChangeThroughAPI() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                try await client.writePools(["range-global": "192.0.2.10-192.0.2.10"])
                try await withCloudProvider(client: client, settings: testSettings()) { provider in
                    try await client.createLoadBalancer("web")
                    try await eventually("web's record") { try await client.recordedAddress("web") != nil }
                    try await client.createLoadBalancer("waiting")
                    try await eventually("waiting pending") { provider.status.snapshot.pendingServices == 1 }
                    _ = try await client.patch(
                        .services, namespace: "default", name: "web", type: .merge,
                        patch: ["spec": ["type": "ClusterIP"]], as: KubernetesService.self)
                    try await eventually("waiting's record") {
                        try await client.recordedAddress("waiting") == "192.0.2.10"
                    }
                    try await eventually("web's marks gone") {
                        let web = try await client.service("web")
                        return web.metadata.annotations?["kube-vip.io/loadbalancerIPs"] == nil
                            && web.metadata.labels?["implementation"] == nil
                    }
                }
            }
        }
    }
}
