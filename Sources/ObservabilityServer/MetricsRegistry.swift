import Metrics
import Prometheus

/// One Prometheus registry, seen by the rest of the program only as a swift-metrics `MetricsFactory`.
///
/// Each role owns its registry instead of sharing a process-wide one, so that tests running in parallel in one
/// process never see each other's metrics; only the executable joins it to the global `MetricsSystem`. This is
/// the only file that imports Prometheus: its `Counter` and `Gauge` clash with swift-metrics' names.
///
/// A metric name must keep one kind (counter, gauge, timer) and either always or never carry dimensions;
/// swift-prometheus stops the process on a mix, as it would otherwise export a family Prometheus rejects.
public final class MetricsRegistry: Sendable {
    private let registry: PrometheusCollectorRegistry

    /// Pass to `Counter(label:dimensions:factory:)` and friends; dimensions become Prometheus labels.
    public let factory: any MetricsFactory

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
    }

    /// Every metric made through `factory`, in the Prometheus text exposition format 0.0.4.
    public func exposition() -> String {
        registry.emitToString()
    }

    /// Makes `factory` the process-wide `MetricsSystem` factory, so that libraries which record through the
    /// global system (without a factory argument) land in this registry too.
    ///
    /// For the executable only: swift-metrics allows one bootstrap per process and traps on a second.
    public func bootstrapGlobally() {
        MetricsSystem.bootstrap(factory)
    }
}
