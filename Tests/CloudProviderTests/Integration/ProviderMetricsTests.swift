import CloudProvider
import KubernetesClient
import KubernetesModels
import ObservabilityServer
import Testing

@Suite("The cloud-provider role's metrics", .timeLimit(.minutes(1)))
struct ProviderMetricsTests {
    @Test("pool size and use, allocations, failures by reason and leadership are exported")
    func exposition() async throws {
        let registry = MetricsRegistry()
        try await withAPIServer { port in
            try await withClient(port: port) { client in
                try await client.writePools(["range-global": "192.0.2.10-192.0.2.11"])
                try await withCloudProvider(
                    client: client, settings: testSettings(), metricsFactory: registry.factory
                ) { provider in
                    for name in ["a", "b", "c"] { try await client.createLoadBalancer(name) }
                    try await eventually("two Services served and one pending") {
                        provider.status.snapshot.allocatedServices == 2
                            && provider.status.snapshot.pendingServices == 1
                    }
                    let ipv4 = ["pool": "global", "family": "IPv4"]
                    // The status is published a moment before the gauges, so wait for the last of them.
                    try await eventually("the failure counted and the pool gauge updated") {
                        registry.value("kube_vip_allocation_failures_total", ["reason": "PoolExhausted"]) == 1
                            && registry.value("kube_vip_pool_addresses_in_use", ipv4) == 2
                    }
                    #expect(registry.value("kube_vip_pool_addresses", ipv4) == 2)
                    #expect(registry.value("kube_vip_pool_addresses_in_use", ipv4) == 2)
                    #expect(registry.value("kube_vip_allocations_total", ["pool": "global"]) == 2)
                    #expect(registry.value("kube_vip_cloud_provider_leader") == 1)
                    #expect(registry.value("kube_vip_services_pending") == 1)
                }
            }
        }
    }
}
