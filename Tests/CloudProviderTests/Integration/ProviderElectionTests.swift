import CloudProvider
import KubernetesClient
import KubernetesModels
import ObservabilityServer
import Testing

@Suite("Two leader-elected cloud providers on one API server", .timeLimit(.minutes(1)))
struct ProviderElectionTests {
    /// Runs replicas `a` and `b`, each with its own client and metrics, for the length of `body`.
    func withTwoReplicas(
        port: Int,
        _ body: (_ replicas: [(provider: RunningProvider, metrics: MetricsRegistry)]) async throws -> Void
    ) async throws {
        let metricsA = MetricsRegistry()
        let metricsB = MetricsRegistry()
        try await withClient(port: port) { clientA in
            try await withClient(port: port) { clientB in
                try await withCloudProvider(
                    name: "a", client: clientA, settings: testSettings(host: "a"),
                    election: quickElection(identity: "a"), metricsFactory: metricsA.factory
                ) { a in
                    try await withCloudProvider(
                        name: "b", client: clientB, settings: testSettings(host: "b"),
                        election: quickElection(identity: "b"), metricsFactory: metricsB.factory
                    ) { b in
                        try await body([(a, metricsA), (b, metricsB)])
                    }
                }
            }
        }
    }

    @Test("only the leader writes, a graceful stop hands over, and no address is given twice")
    func handover() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                try await client.writePools(["range-global": "192.0.2.10-192.0.2.20"])
                try await withTwoReplicas(port: port) { replicas in
                    try await eventually("one replica allocating") {
                        replicas.contains { $0.provider.isAllocating }
                    }
                    let leader = try #require(replicas.first { $0.provider.isAllocating })
                    let follower = try #require(replicas.first { !$0.provider.isAllocating })
                    #expect(!follower.provider.status.snapshot.leading)

                    try await client.createLoadBalancer("one")
                    try await client.createLoadBalancer("two")
                    try await eventually("both recorded") { try await client.allRecords().count == 2 }
                    try await eventually("the leader's writes counted") {
                        leader.metrics.value("kube_vip_service_writes_total", ["result": "applied"]) == 2
                    }
                    #expect(follower.metrics.value("kube_vip_service_writes_total", ["result": "applied"]) ?? 0 == 0)
                    #expect(follower.metrics.value("kube_vip_cloud_provider_leader") == 0)
                    #expect(follower.provider.status.snapshot.trackedServices >= 2, "the follower mirrors Services")
                    try await eventually("the leader's two Events") {
                        try await client.assignmentHosts() == [leader.provider.name, leader.provider.name]
                    }

                    await leader.provider.stop()
                    try await eventually("the other replica allocating", timeout: .seconds(5)) {
                        follower.provider.isAllocating
                    }
                    try await client.createLoadBalancer("three")
                    try await eventually("three recorded") { try await client.recordedAddress("three") != nil }
                    try await eventually("the new leader's write counted") {
                        follower.metrics.value("kube_vip_service_writes_total", ["result": "applied"]) == 1
                    }

                    let records = try await client.allRecords()
                    #expect(records.count == 3)
                    #expect(Set(records.values).count == 3, "an address was given twice: \(records)")
                    try await eventually("the new leader's Event") {
                        try await client.assignmentHosts().sorted()
                            == [leader.provider.name, leader.provider.name, follower.provider.name].sorted()
                    }
                }
            }
        }
    }

    @Test("a replica that takes over reads the Services afresh and does not rewrite them")
    func takeoverIsQuiet() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                try await client.writePools(["range-global": "192.0.2.10-192.0.2.20"])
                try await withTwoReplicas(port: port) { replicas in
                    try await eventually("one replica allocating") { replicas.contains { $0.provider.isAllocating } }
                    let leader = try #require(replicas.first { $0.provider.isAllocating })
                    let follower = try #require(replicas.first { !$0.provider.isAllocating })
                    for name in ["one", "two", "three"] { try await client.createLoadBalancer(name) }
                    try await eventually("all recorded") { try await client.allRecords().count == 3 }
                    let before = try await client.list(.services, namespace: "default", as: KubernetesService.self)
                        .items.map(\.metadata.resourceVersion)

                    await leader.provider.stop()
                    try await eventually("the other replica allocating", timeout: .seconds(5)) {
                        follower.provider.isAllocating
                    }
                    try await client.createLoadBalancer("four")
                    try await eventually("four recorded") { try await client.recordedAddress("four") != nil }
                    let after = try await client.list(.services, namespace: "default", as: KubernetesService.self)
                        .items.filter { $0.metadata.name != "four" }.map(\.metadata.resourceVersion)
                    #expect(after == before)
                    try await eventually("the new leader's one write counted") {
                        follower.metrics.value("kube_vip_service_writes_total", ["result": "applied"]) == 1
                    }
                }
            }
        }
    }
}

extension KubernetesClient {
    /// `source.host` of every AddressAssigned Event: which replica made each allocation.
    func assignmentHosts() async throws -> [String] {
        try await events().filter { $0.reason == "AddressAssigned" }.compactMap { $0.source?.host }
    }
}
