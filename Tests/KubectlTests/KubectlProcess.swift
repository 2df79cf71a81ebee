import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A kubectl child process. Its output arrives through pipe readability handlers and its exit through the
/// termination handler, both turned into events, so no thread of the (2-core) cooperative pool is blocked
/// while the in-process API server has to answer kubectl.
///
/// A child started by `Foundation.Process` inside `swift test` inherits a blocked signal mask, so SIGTERM
/// would do nothing: `stop()` sends SIGKILL and then waits for the exit.
final class KubectlProcess: Sendable {
    struct Result: Sendable, CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    static let path = "/usr/bin/kubectl"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    private struct State {
        var stdout = Data()
        var stderr = Data()
        var stdoutClosed = false
        var stderrClosed = false
        var exitStatus: Int32?
        var outputListeners: [Int: AsyncStream<String>.Continuation] = [:]
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        var nextListener = 0

        /// The waiting test was cancelled (e.g. its time limit passed): stop waiting for an end that may not come.
        var abandoned = false

        /// Exited, and both pipes have delivered everything.
        var isFinished: Bool { abandoned || (exitStatus != nil && stdoutClosed && stderrClosed) }
    }

    private let process: Process
    private let state = Mutex(State())

    /// Starts `kubectl arguments...` (or another `executable`, such as the built `kube-vip`) with exactly this
    /// environment.
    init(_ arguments: [String], environment: [String: String], executable: String = KubectlProcess.path) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        self.process = process
        let readEnds = [(stdoutPipe.fileHandleForReading, true), (stderrPipe.fileHandleForReading, false)]
        process.terminationHandler = { [weak self] finished in
            // Everything the child wrote is in the pipes now, but their end can come late or never: a child
            // spawned meanwhile by another test may have inherited the write ends (Foundation's `Pipe` is not
            // close-on-exec). So the exit itself ends the output: drain what is there without blocking.
            for (handle, isStdout) in readEnds {
                handle.readabilityHandler = nil
                self?.received(Self.drain(handle), from: handle, isStdout: isStdout)
                self?.received(Data(), from: handle, isStdout: isStdout)
            }
            self?.update { $0.exitStatus = finished.terminationStatus }
        }
        stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.received(handle.availableData, from: handle, isStdout: true)
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.received(handle.availableData, from: handle, isStdout: false)
        }
        try process.run()
    }

    /// Reads what a pipe holds right now, without waiting for more.
    private static func drain(_ handle: FileHandle) -> Data {
        let descriptor = handle.fileDescriptor
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        // poll with a zero timeout: read only while a read cannot block (data waiting, or the real end).
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while poll(&request, 1, 0) == 1, request.revents & Int16(POLLIN) != 0 {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[..<count])
        }
        return data
    }

    private func received(_ data: Data, from handle: FileHandle, isStdout: Bool) {
        if data.isEmpty { handle.readabilityHandler = nil }
        update { state in
            switch (isStdout, data.isEmpty) {
            case (true, true): state.stdoutClosed = true
            case (false, true): state.stderrClosed = true
            case (true, false): state.stdout.append(data)
            case (false, false): state.stderr.append(data)
            }
        }
    }

    /// Applies a change, then tells listeners about new output and waiters about the end.
    private func update(_ change: (inout State) -> Void) {
        let (text, listeners, waiters, finished) = state.withLock { state in
            change(&state)
            let finished = state.isFinished
            let waiters = finished ? state.exitWaiters : []
            if finished { state.exitWaiters = [] }
            return (String(decoding: state.stdout, as: UTF8.self), Array(state.outputListeners.values), waiters, finished)
        }
        for listener in listeners {
            listener.yield(text)
            if finished { listener.finish() }
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Runs kubectl to its end; a hung kubectl is killed after `timeout` (a safety net, not a wait).
    static func run(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(60))
        async throws -> Result
    {
        let child = try KubectlProcess(arguments, environment: environment)
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                if (try? await Task.sleep(for: timeout)) != nil { child.abandon() }
            }
            defer { group.cancelAll() }
            return await child.waitForExit()
        }
    }

    /// Waits until standard output contains `text`; `false` if the process ended without printing it.
    func waitForOutput(containing text: String) async -> Bool {
        let (updates, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (id, current, finished) = state.withLock { state in
            let id = state.nextListener
            state.nextListener += 1
            state.outputListeners[id] = continuation
            return (id, String(decoding: state.stdout, as: UTF8.self), state.isFinished)
        }
        defer { _ = state.withLock { $0.outputListeners.removeValue(forKey: id) } }
        if current.contains(text) { return true }
        if finished { return false }
        for await snapshot in updates where snapshot.contains(text) { return true }
        return false
    }

    var stdout: String { state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }

    /// SIGKILL, because SIGTERM may be blocked in a child of `swift test`.
    func kill() {
        guard process.isRunning else { return }
        killProcess(process.processIdentifier)
    }

    /// Kills the child and releases every waiter, whether or not the exit and the pipes' ends are ever seen.
    func abandon() {
        kill()
        update { $0.abandoned = true }
    }

    /// Sends `signal` (for a child that unblocks it itself, as `kube-vip` does) and waits for the exit.
    func terminate(with signal: Int32) async -> Result {
        if process.isRunning { sendSignal(signal, to: process.processIdentifier) }
        return await waitForExit()
    }

    /// Kills the process and waits for it to exit.
    func stop() async -> Result {
        kill()
        return await waitForExit()
    }

    /// Cancellation (a test's time limit) kills the child and ends the wait, so a lost pipe EOF or exit
    /// notification turns into a failed test instead of a hung test run.
    func waitForExit() async -> Result {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let finished = state.withLock { state in
                    if !state.isFinished { state.exitWaiters.append(continuation) }
                    return state.isFinished
                }
                if finished { continuation.resume() }
            }
        } onCancel: {
            abandon()
        }
        return state.withLock { state in
            Result(
                status: state.exitStatus ?? -1, stdout: String(decoding: state.stdout, as: UTF8.self),
                stderr: String(decoding: state.stderr, as: UTF8.self))
        }
    }
}

/// At file scope so that `kill` is the C function, not `KubectlProcess.kill()`.
private func killProcess(_ pid: Int32) {
    _ = kill(pid, SIGKILL)
}

private func sendSignal(_ signal: Int32, to pid: Int32) {
    _ = kill(pid, signal)
}
