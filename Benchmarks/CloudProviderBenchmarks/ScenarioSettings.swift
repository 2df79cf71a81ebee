import BenchmarkSupport
import Foundation

/// What the environment chooses about a run: the scenario is slow (seconds to minutes per iteration), so
/// its size and repetitions are set from outside instead of being compiled in.
struct ScenarioSettings: Sendable {
    /// `CP_BENCH_SERVICES`, default 10,000.
    var serviceCount = 10_000
    /// `CP_BENCH_ITERATIONS`, default 3: every iteration starts a fresh server and controller.
    var iterations = 3
    /// `CP_BENCH_CONCURRENCY`, default 32: creates in flight at once.
    var createConcurrency = 32
    /// `KUBE_VIP_BINARY`; default the `kube-vip` next to this benchmark executable (both are built into
    /// `.build-bench/release`), then `.build-bench/release/kube-vip` from the working directory.
    var binary: String
    /// `CP_BENCH_SUMMARY_FILE`: a file each iteration appends its summary line to. The line also goes to
    /// stderr, which package-benchmark silences under `--no-progress`.
    var summaryFile: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let text = environment["CP_BENCH_SERVICES"], let value = Int(text), value > 0 { serviceCount = value }
        if let text = environment["CP_BENCH_ITERATIONS"], let value = Int(text), value > 0 { iterations = value }
        if let text = environment["CP_BENCH_CONCURRENCY"], let value = Int(text), value > 0 {
            createConcurrency = value
        }
        if let path = environment["CP_BENCH_SUMMARY_FILE"], !path.isEmpty { summaryFile = path }
        binary = KubeVipBinary.configured(environment: environment)
    }

    /// The binary's absolute path, or a failure that says how to build it.
    func requireBinary() throws -> String {
        switch KubeVipBinary.resolve(binary) {
        case .success(let path): return path
        case .failure(let missing): throw BenchmarkFailure.setup(missing.message)
        }
    }
}
