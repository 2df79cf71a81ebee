import Benchmark
import BenchmarkSupport
import Foundation

// The end-to-end benchmark of the cloud-provider role (and of `kube-vip status` over its result): a
// release `kube-vip dev` (server only) and a release `kube-vip cloud-provider` as child processes; N LoadBalancer
// Services created through the client as fast as the server takes them; the time until every one has its
// address and the CPU each process spent.
//
// One iteration takes seconds to minutes and starts both processes afresh, so the iterations are few
// (CP_BENCH_ITERATIONS) and the size comes from CP_BENCH_SERVICES. The wall clock covers first create → last
// Service settled; the custom metrics carry the rest, and every iteration also writes a summary line to stderr
// (silenced by package-benchmark under --no-progress) and to CP_BENCH_SUMMARY_FILE if set, because the
// table shows percentiles, not the individual runs or the refused and duplicate counts.

let benchmarks: @Sendable () -> Void = {
    let settings = ScenarioSettings()
    let count = grouped(settings.serviceCount)
    registerScenario(
        "Cloud provider e2e: \(count) Services created → all allocated", settings: settings, writeStatus: false)
    registerScenario(
        "Cloud provider e2e --write-status: \(count) Services created → all allocated with status",
        settings: settings, writeStatus: true)
    registerStatusScenario("kube-vip status -o json: \(count) Services", settings: settings)
}

/// 10000 → "10,000", independent of the locale, so that names (and baselines) stay stable.
func grouped(_ value: Int) -> String {
    var digits = String(value)
    var groups: [Substring] = []
    while digits.count > 3 {
        groups.insert(Substring(digits.suffix(3)), at: 0)
        digits.removeLast(3)
    }
    groups.insert(Substring(digits), at: 0)
    return groups.joined(separator: ",")
}

enum ScenarioMetric {
    static let createdMilliseconds = metric("time to all created ms")
    static let allocatedMilliseconds = metric("time to all allocated ms")
    static let controllerPerThousand = metric("controller CPU ms per 1000 Services")
    static let controllerSettledPerThousand = metric("controller CPU ms per 1000 Services, until idle")
    static let serverMilliseconds = metric("server CPU ms")
    static let benchmarkMilliseconds = metric("benchmark client CPU ms")

    static let all = [
        createdMilliseconds, allocatedMilliseconds, controllerPerThousand, controllerSettledPerThousand,
        serverMilliseconds, benchmarkMilliseconds,
    ]

    /// Plain numbers: no scaling by the iteration count, no K/M suffixes that would hide the milliseconds.
    private static func metric(_ name: String) -> BenchmarkMetric {
        .custom(name, polarity: .prefersSmaller, useScalingFactor: false)
    }
}

func registerScenario(_ name: String, settings: ScenarioSettings, writeStatus: Bool) {
    var units: [BenchmarkMetric: BenchmarkUnits] = [:]
    for metric in ScenarioMetric.all { units[metric] = .count }
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock] + ScenarioMetric.all,
        timeUnits: .milliseconds,
        units: units,
        warmupIterations: 0,
        maxDuration: .seconds(3_600),
        maxIterations: settings.iterations)

    Benchmark(name, configuration: configuration) { benchmark in
        let scenario = CloudProviderScenario(settings: settings, writeStatus: writeStatus)
        let result = try await scenario.run(
            measuring: MeasuredRegion(start: { benchmark.startMeasurement() }, stop: { benchmark.stopMeasurement() }))
        benchmark.measurement(ScenarioMetric.createdMilliseconds, ScenarioResult.milliseconds(result.createTime))
        benchmark.measurement(ScenarioMetric.allocatedMilliseconds, ScenarioResult.milliseconds(result.allocatedTime))
        benchmark.measurement(
            ScenarioMetric.controllerPerThousand, result.perThousand(result.controllerCPUMilliseconds))
        benchmark.measurement(
            ScenarioMetric.controllerSettledPerThousand, result.perThousand(result.controllerSettledCPUMilliseconds))
        benchmark.measurement(ScenarioMetric.serverMilliseconds, result.serverCPUMilliseconds)
        benchmark.measurement(ScenarioMetric.benchmarkMilliseconds, result.benchmarkCPUMilliseconds)
        report(result.summary, to: settings.summaryFile)
    }
}


/// `kube-vip status` over the same cluster once it has settled; only the status run is timed.
func registerStatusScenario(_ name: String, settings: ScenarioSettings) {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 0, maxDuration: .seconds(3_600),
        maxIterations: settings.iterations)
    Benchmark(name, configuration: configuration) { benchmark in
        let result = try await StatusScenario(settings: settings).run(
            measuring: MeasuredRegion(start: { benchmark.startMeasurement() }, stop: { benchmark.stopMeasurement() }))
        report(result.summary, to: settings.summaryFile)
    }
}
