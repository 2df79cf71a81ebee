/// Why a scenario could not be measured. package-benchmark prints the error with `String(reflecting:)`, so
/// the description carries everything needed to act on it (including the child's last log lines).
enum BenchmarkFailure: Error, CustomStringConvertible, CustomDebugStringConvertible {
    case setup(String)
    case childEnded(String, waitingFor: String, stderr: String)
    case timedOut(String, stderr: String)
    case wrongResult(String)

    var description: String {
        switch self {
        case .setup(let message): "setup failed: \(message)"
        case .childEnded(let name, let waitingFor, let stderr):
            "\(name) exited while the benchmark waited for \(waitingFor); its last stderr lines:\n\(stderr)"
        case .timedOut(let message, let stderr):
            stderr.isEmpty ? "timed out: \(message)" : "timed out: \(message); last stderr lines:\n\(stderr)"
        case .wrongResult(let message): "wrong result: \(message)"
        }
    }

    var debugDescription: String { description }
}
