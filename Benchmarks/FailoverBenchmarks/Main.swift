import Benchmark
import BenchmarkSupport
import Foundation
import NetworkLab

// Failover of the node agent as a client sees it (and DHCP mode's lease and failover, DHCPScenarios.swift; UPnP
// mode's mapping and its take-over, UPnPScenarios.swift): three release `kube-vip manager` processes in network
// namespaces (NetworkLab's NodeAgentLab: api, node1–3, client on one bridge), global mode, one Service. The
// leader is taken away while the client pings the address every 20 ms; the metric is the time from the signal to
// the first echo reply that arrives from another node's MAC (read by tcpdump in the client namespace).
//
// Needs root (network namespaces) and a release binary built first:
//   swift build -c release --scratch-path .build-bench --product kube-vip
//   ENABLE_BENCHMARKS=1 swift package --scratch-path .build-bench benchmark --target FailoverBenchmarks
// KUBE_VIP_BINARY points at another binary; FAILOVER_BENCH_ITERATIONS (default 3) sets the iterations per
// scenario; FAILOVER_BENCH_SUMMARY_FILE collects one line per iteration (stderr is silenced by --no-progress).
//
// Every iteration builds a fresh lab, so no iteration inherits a killed node or a stale address from another.
// The wall clock covers the measured failover plus starting the ping and the capture; the custom metric is the
// number to quote.

let benchmarks: @Sendable () -> Void = {
    let settings = FailoverSettings()
    let timings: [(String, NodeAgentLab.ManagerSettings)] = [
        ("lease 5/3/1", .fast), ("lease 15/10/2 (defaults)", .defaults),
    ]
    for (label, manager) in timings {
        for loss in [LeaderLoss.nodeCrashed, .terminated] {
            registerFailover("Failover \(loss), \(label)", loss: loss, manager: manager, settings: settings)
        }
    }
    registerDHCPScenarios(settings: settings)
    registerUPnPScenarios(settings: settings)
}

enum FailoverMetric {
    /// Plain numbers: no scaling by the iteration count, no K/M suffixes that would hide the milliseconds.
    static let failoverMilliseconds = BenchmarkMetric.custom(
        "signal → first reply from the new holder (ms)", polarity: .prefersSmaller, useScalingFactor: false)
    static let repliesFromPreviousHolder = BenchmarkMetric.custom(
        "replies from the previous holder after the signal", polarity: .prefersSmaller, useScalingFactor: false)
}

func registerFailover(
    _ name: String, loss: LeaderLoss, manager: NodeAgentLab.ManagerSettings, settings: FailoverSettings
) {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, FailoverMetric.failoverMilliseconds, FailoverMetric.repliesFromPreviousHolder],
        timeUnits: .milliseconds,
        units: [FailoverMetric.failoverMilliseconds: .count, FailoverMetric.repliesFromPreviousHolder: .count],
        warmupIterations: 0,
        maxDuration: .seconds(3_600),
        maxIterations: settings.iterations)

    Benchmark(name, configuration: configuration) { benchmark in
        let binary = try settings.requireBinary()
        if let reason = NetworkLab.unavailableReason() { throw FailoverBenchmarkFailure(reason) }
        let missing = NetworkLab.missingTools(["ping", "tcpdump", "kubectl"])
        guard missing.isEmpty else { throw FailoverBenchmarkFailure("missing tools: \(missing)") }
        let measurement = try await NodeAgentLab.with(binary: binary) { lab in
            try lab.startManagers(settings: manager)
            try await lab.apply(NodeAgentLab.serviceManifest(name: "web", address: FailoverSettings.address))
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node2"))
            let leader = try await lab.waitForSingleHolder(of: FailoverSettings.address, within: .seconds(60))
            let limit = Duration.seconds(manager.leaseDuration + manager.retryPeriod + 30)
            benchmark.startMeasurement()
            let measurement = try await lab.measureFailover(
                of: FailoverSettings.address, leader: leader, loss: loss, within: limit)
            benchmark.stopMeasurement()
            return measurement
        }
        benchmark.measurement(FailoverMetric.failoverMilliseconds, Int(measurement.milliseconds.rounded()))
        benchmark.measurement(FailoverMetric.repliesFromPreviousHolder, measurement.repliesFromPreviousHolder)
        report("\(name): \(measurement)", to: settings.summaryFile)
    }
}

/// What the environment chooses about a run.
struct FailoverSettings: Sendable {
    static let address = "198.51.100.100"

    /// `FAILOVER_BENCH_ITERATIONS`, default 3: each builds a lab and waits out a failover (up to ~20 s).
    var iterations = 3
    /// `KUBE_VIP_BINARY`; default the `kube-vip` next to this benchmark executable (both are built into
    /// `.build-bench/release`), then `.build-bench/release/kube-vip` from the working directory.
    var binary: String
    /// `FAILOVER_BENCH_SUMMARY_FILE`.
    var summaryFile: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let text = environment["FAILOVER_BENCH_ITERATIONS"], let value = Int(text), value > 0 { iterations = value }
        if let path = environment["FAILOVER_BENCH_SUMMARY_FILE"], !path.isEmpty { summaryFile = path }
        binary = KubeVipBinary.configured(environment: environment)
    }

    /// The binary's absolute path, or a failure that says how to build it.
    func requireBinary() throws -> String {
        switch KubeVipBinary.resolve(binary) {
        case .success(let path): return path
        case .failure(let missing): throw FailoverBenchmarkFailure(missing.message)
        }
    }
}

/// package-benchmark prints the error with `String(reflecting:)`, so the description says how to fix it.
struct FailoverBenchmarkFailure: Error, CustomStringConvertible, CustomDebugStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
    var debugDescription: String { description }
}

