import Metrics
import ObservabilityServer
import Testing

@Suite("The /metrics endpoint", .timeLimit(.minutes(1)))
struct MetricsEndpointTests {
    @Test("a counter made through the registry's factory appears with its dimensions as labels")
    func counterWithLabels() async throws {
        let registry = MetricsRegistry()
        let counter = Counter(label: "kubevip_test_allocations_total", dimensions: [("pool", "global")], factory: registry.factory)
        counter.increment(by: 3)
        let reply = try await ObservabilityTestServer.withServer(metrics: registry) { try await $0.request("/metrics") }
        #expect(reply.status == 200)
        #expect(reply.text.contains("# TYPE kubevip_test_allocations_total counter\n"))
        #expect(reply.text.contains("kubevip_test_allocations_total{pool=\"global\"} 3\n"))
    }

    @Test("a gauge shows its latest value under each label set")
    func gaugeWithLabels() async throws {
        let registry = MetricsRegistry()
        Gauge(label: "kubevip_test_pool_free", dimensions: [("pool", "a")], factory: registry.factory).record(7)
        let other = Gauge(label: "kubevip_test_pool_free", dimensions: [("pool", "b")], factory: registry.factory)
        other.record(5)
        other.record(2)
        let reply = try await ObservabilityTestServer.withServer(metrics: registry) { try await $0.request("/metrics") }
        #expect(reply.text.contains("# TYPE kubevip_test_pool_free gauge\n"))
        #expect(reply.text.contains("kubevip_test_pool_free{pool=\"a\"} 7.0\n"))
        #expect(reply.text.contains("kubevip_test_pool_free{pool=\"b\"} 2.0\n"))
    }

    @Test("a timer becomes a histogram in seconds with buckets, a count and a sum")
    func timerAsHistogram() async throws {
        let registry = MetricsRegistry()
        let timer = Metrics.Timer(label: "kubevip_test_sync_duration_seconds", dimensions: [("kind", "service")], factory: registry.factory)
        timer.recordMilliseconds(30)
        let reply = try await ObservabilityTestServer.withServer(metrics: registry) { try await $0.request("/metrics") }
        #expect(reply.text.contains("# TYPE kubevip_test_sync_duration_seconds histogram\n"))
        #expect(reply.text.contains("kubevip_test_sync_duration_seconds_bucket{kind=\"service\",le=\"0.025\"} 0\n"))
        #expect(reply.text.contains("kubevip_test_sync_duration_seconds_bucket{kind=\"service\",le=\"0.05\"} 1\n"))
        #expect(reply.text.contains("kubevip_test_sync_duration_seconds_bucket{kind=\"service\",le=\"+Inf\"} 1\n"))
        #expect(reply.text.contains("kubevip_test_sync_duration_seconds_count{kind=\"service\"} 1\n"))
        #expect(reply.text.contains("kubevip_test_sync_duration_seconds_sum{kind=\"service\"} 0.03\n"))
    }

    @Test("the response carries the Prometheus text format 0.0.4 content type")
    func contentType() async throws {
        let reply = try await ObservabilityTestServer.withServer { try await $0.request("/metrics") }
        #expect(reply.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
    }

    @Test("an empty registry answers 200 with an empty body")
    func emptyRegistry() async throws {
        let reply = try await ObservabilityTestServer.withServer { try await $0.request("/metrics") }
        #expect(reply.status == 200)
        #expect(reply.text.isEmpty)
    }

    @Test("each scrape shows the values at the time of the scrape")
    func valuesAreLive() async throws {
        let registry = MetricsRegistry()
        let counter = Counter(label: "kubevip_test_events_total", factory: registry.factory)
        try await ObservabilityTestServer.withServer(metrics: registry) { server async throws in
            counter.increment()
            #expect(try await server.request("/metrics").text.contains("kubevip_test_events_total 1\n"))
            counter.increment()
            #expect(try await server.request("/metrics").text.contains("kubevip_test_events_total 2\n"))
        }
    }
}
