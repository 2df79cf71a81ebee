import IPAM
import Metrics
import Synchronization

/// The role's metrics, made through an injected factory so that tests (and several controllers in one
/// process) each read their own registry.
///
/// Names follow Prometheus conventions with a `kube_vip_` prefix; pool gauges carry `pool` (`global` or the
/// namespace) and `family` (`IPv4`, `IPv6`).
final class CloudProviderMetrics: Sendable {
    private let factory: any MetricsFactory
    private let leader: Gauge
    private let pendingServices: Gauge
    private let writesApplied: Counter
    private let writesConflicted: Counter
    private let writesFailed: Counter
    private let eventsDropped: Counter
    private let configurationErrors: Gauge
    private let configurationWarnings: Gauge
    /// Handles by label and dimensions: making one asks the factory, which locks and hashes every time.
    private let counters = Mutex<[String: Counter]>([:])
    private let gauges = Mutex<[String: Gauge]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
        leader = Gauge(label: "kube_vip_cloud_provider_leader", factory: factory)
        pendingServices = Gauge(label: "kube_vip_services_pending", factory: factory)
        writesApplied = Counter(
            label: "kube_vip_service_writes_total", dimensions: [("result", "applied")], factory: factory)
        writesConflicted = Counter(
            label: "kube_vip_service_writes_total", dimensions: [("result", "conflict")], factory: factory)
        writesFailed = Counter(
            label: "kube_vip_service_writes_total", dimensions: [("result", "failed")], factory: factory)
        eventsDropped = Counter(label: "kube_vip_events_dropped_total", factory: factory)
        configurationErrors = Gauge(
            label: "kube_vip_configmap_problems", dimensions: [("severity", "error")], factory: factory)
        configurationWarnings = Gauge(
            label: "kube_vip_configmap_problems", dimensions: [("severity", "warning")], factory: factory)
        leader.record(0)
    }

    func setLeader(_ leading: Bool) { leader.record(leading ? 1 : 0) }

    func setPending(_ count: Int) { pendingServices.record(count) }

    func allocated(scope: PoolScope?) {
        counter("kube_vip_allocations_total", [("pool", scope?.keySuffix ?? "none")]).increment()
    }

    func failed(reason: String) {
        counter("kube_vip_allocation_failures_total", [("reason", reason)]).increment()
    }

    func wrote(_ outcome: WriteOutcome) {
        switch outcome {
        case .applied: writesApplied.increment()
        case .conflicted: writesConflicted.increment()
        case .failed: writesFailed.increment()
        case .gone, .fenced: break
        }
    }

    func droppedEvent() { eventsDropped.increment() }

    func setConfigurationProblems(errors: Int, warnings: Int) {
        configurationErrors.record(errors)
        configurationWarnings.record(warnings)
    }

    /// Pool size and use. Gauges of pools that disappeared from the ConfigMap drop to zero.
    func setPools(_ usage: [PoolUsage], previous: inout Set<PoolSeries>) {
        var current: Set<PoolSeries> = []
        for entry in usage {
            let series = PoolSeries(pool: entry.scope.keySuffix, family: "\(entry.family)")
            current.insert(series)
            gauge("kube_vip_pool_addresses", series).record(Double(entry.capacity))
            gauge("kube_vip_pool_addresses_in_use", series).record(entry.used)
        }
        for series in previous.subtracting(current) {
            gauge("kube_vip_pool_addresses", series).record(0)
            gauge("kube_vip_pool_addresses_in_use", series).record(0)
        }
        previous = current
    }

    private func gauge(_ label: String, _ series: PoolSeries) -> Gauge {
        let dimensions = [("pool", series.pool), ("family", series.family)]
        let key = Self.key(label, dimensions)
        return gauges.withLock { cache in
            if let gauge = cache[key] { return gauge }
            let gauge = Gauge(label: label, dimensions: dimensions, factory: factory)
            cache[key] = gauge
            return gauge
        }
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = Self.key(label, dimensions)
        return counters.withLock { cache in
            if let counter = cache[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions, factory: factory)
            cache[key] = counter
            return counter
        }
    }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: "\u{0}")
    }
}

struct PoolSeries: Hashable, Sendable {
    let pool: String
    let family: String
}
