import Metrics
import ObservabilityServer
import Testing

@Suite("Metrics registry")
struct MetricsRegistryTests {
    @Test("two registries in one process do not share metrics")
    func registriesAreIndependent() {
        let first = MetricsRegistry()
        let second = MetricsRegistry()
        Counter(label: "kubevip_test_only_in_first_total", factory: first.factory).increment()
        Counter(label: "kubevip_test_only_in_second_total", factory: second.factory).increment(by: 2)
        #expect(first.exposition().contains("kubevip_test_only_in_first_total 1\n"))
        #expect(!first.exposition().contains("kubevip_test_only_in_second_total"))
        #expect(second.exposition().contains("kubevip_test_only_in_second_total 2\n"))
        #expect(!second.exposition().contains("kubevip_test_only_in_first_total"))
    }

    @Test("the same label and dimensions from two call sites count into one series")
    func sameSeriesIsShared() {
        let registry = MetricsRegistry()
        Counter(label: "kubevip_test_shared_total", dimensions: [("role", "a")], factory: registry.factory).increment()
        Counter(label: "kubevip_test_shared_total", dimensions: [("role", "a")], factory: registry.factory).increment()
        #expect(registry.exposition().contains("kubevip_test_shared_total{role=\"a\"} 2\n"))
    }

    @Test("label values are escaped as the text format requires")
    func labelValuesAreEscaped() {
        let registry = MetricsRegistry()
        Counter(label: "kubevip_test_escaped_total", dimensions: [("reason", "a \"quoted\"\nline")], factory: registry.factory)
            .increment()
        #expect(registry.exposition().contains(#"kubevip_test_escaped_total{reason="a \"quoted\"\nline"} 1"#))
    }
}
