import Foundation
import KubernetesModels

/// `kube-vip status -o json` against a cluster holding the cloud-provider scenario's Services, all settled
/// (allocated, or refused and pending): from the start of the process to its exit, which covers reading every
/// Service, Lease and Event and building the report. The cluster is built before the timed region.
struct StatusScenario: Sendable {
    let settings: ScenarioSettings

    struct Result: Sendable {
        var elapsed: Duration
        var services: Int
        var pending: Int
        var summary: String
    }

    func run(measuring region: MeasuredRegion) async throws -> Result {
        let binary = try settings.requireBinary()
        let cluster = try await BenchCluster.start(binary: binary, writeStatus: false)
        do {
            let result = try await measure(cluster, binary: binary, region: region)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    private func measure(_ cluster: BenchCluster, binary: String, region: MeasuredRegion) async throws -> Result {
        try await ServiceCreator(client: cluster.client, count: settings.serviceCount, concurrency: settings.createConcurrency)
            .createAll()
        // Settled: the controller has stopped using CPU (every Service allocated or refused).
        _ = try await ProcessCPU.whenIdle(pids: [cluster.controller.pid], limit: .seconds(max(60, settings.serviceCount / 100)))

        region.start()
        let started = ContinuousClock.now
        let status = try ChildProcess(
            name: "kube-vip status", executable: binary, arguments: ["status", "-o", "json", "--kubeconfig", cluster.kubeconfig],
            environment: ProcessInfo.processInfo.environment.filter { $0.key != "LD_PRELOAD" && !$0.key.hasPrefix("KUBEVIP_") })
        let exit = await status.exitStatus(within: .seconds(300))
        let elapsed = ContinuousClock.now - started
        region.stop()

        guard exit == 0 else {
            throw BenchmarkFailure.wrongResult("kube-vip status exited with \(exit.map(String.init) ?? "no status (killed)"):\n\(status.stderrTail())")
        }
        let report = try JSONValue(parsing: Array(status.allLines(on: .stdout).joined(separator: "\n").utf8))
        let services = report["services"]?.arrayValue ?? []
        let pending = services.filter { $0["state"]?.stringValue == "pending" }.count
        guard services.count == settings.serviceCount else {
            throw BenchmarkFailure.wrongResult("the report lists \(services.count) Services, not \(settings.serviceCount)")
        }
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        let summary = "kube-vip status -o json: \(services.count) Services (\(pending) pending) in \(Int(milliseconds)) ms"
        return Result(elapsed: elapsed, services: services.count, pending: pending, summary: summary)
    }
}
