import Foundation
import NetworkLab
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A kubectl child process (or the built `kube-vip`), started by `ChildProcess` (never Foundation's `Process`,
/// whose `run()` can crash the test binary): its output goes to files, read while it runs by polling, and its
/// exit is awaited on the launcher's own thread, so no thread of the (2-core) cooperative pool is blocked
/// while the in-process API server has to answer kubectl.
///
/// The child starts with an empty signal mask, so `terminate(with:)` reaches it; `stop()` kills it outright.
/// Signals go to its process group, so whatever it forked goes with it.
final class KubectlProcess: Sendable {
    struct Result: Sendable, CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    static let path = "/usr/bin/kubectl"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    private let process: LabProcess
    /// Set once the exit has been seen: the output is kept here and the files are removed.
    private let finished = Mutex<Result?>(nil)

    /// Starts `kubectl arguments...` (or another `executable`, such as the built `kube-vip`) with exactly this
    /// environment.
    init(_ arguments: [String], environment: [String: String], executable: String = KubectlProcess.path) throws {
        process = try ChildProcess.start([executable] + arguments, environment: environment)
    }

    /// A child nobody waited for still leaves no files behind.
    deinit {
        ChildProcess.removeFiles(of: process)
    }

    /// Runs kubectl to its end; a hung kubectl is killed after `timeout` (a safety net, not a wait).
    static func run(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(60))
        async throws -> Result
    {
        let child = try KubectlProcess(arguments, environment: environment)
        if await child.process.waitForExit(timeout: timeout) == nil { child.kill() }
        return await child.waitForExit()
    }

    /// Waits until standard output contains `text`; `false` if the process ended without printing it (or the
    /// waiting task was cancelled).
    func waitForOutput(containing text: String) async -> Bool {
        while true {
            let running = process.isRunning
            // Read after checking the exit: whatever it printed before exiting is in the file by then.
            if stdout.contains(text) { return true }
            guard running, (try? await Task.sleep(for: .milliseconds(20))) != nil else { return false }
        }
    }

    var stdout: String { finished.withLock { $0?.stdout ?? process.stdout } }

    /// SIGKILL, to the child and whatever it forked.
    func kill() {
        process.signal(SIGKILL)
    }

    /// Sends `signal` (SIGTERM, SIGINT: what a user or kubelet sends) and waits for the exit.
    func terminate(with signal: Int32) async -> Result {
        process.signal(signal)
        return await waitForExit()
    }

    /// Kills the process and waits for it to exit.
    func stop() async -> Result {
        kill()
        return await waitForExit()
    }

    /// Cancellation (a test's time limit) kills the child, so the wait ends in a failed test instead of a hung
    /// test run.
    func waitForExit() async -> Result {
        let status = await withTaskCancellationHandler {
            await process.exit()
        } onCancel: {
            kill()
        }
        return finished.withLock { finished in
            if let finished { return finished }
            let result = Result(status: status.code, stdout: process.stdout, stderr: process.stderr)
            finished = result
            ChildProcess.removeFiles(of: process)
            return result
        }
    }
}
