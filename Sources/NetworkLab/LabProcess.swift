import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How a lab process ended.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    /// The shell's convention (128 + signal for a killed process), for messages and simple comparisons.
    public var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signalled(let signal): 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        }
    }

    /// Decodes a `wait` status word (the C macros are not imported into Swift).
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}

/// A child process of a lab, started with `posix_spawn` rather than Foundation's `Process`:
///
/// - its output goes straight to files opened by the child, so there is no pipe whose end-of-file could be
///   held back by another child that inherited a copy (every other descriptor is closed in the child);
/// - it starts with an empty signal mask and default dispositions, because a test runner's threads block
///   signals and ignore SIGPIPE, and both would otherwise be inherited: SIGTERM must reach the program;
/// - it leads its own process group, so teardown can signal whatever it forked as well.
///
/// A dedicated thread waits for the exit so no thread of the cooperative pool ever blocks on `waitpid`.
public final class LabProcess: Sendable, CustomStringConvertible {
    public let name: String
    public let pid: Int32
    public let arguments: [String]
    public let stdoutURL: URL
    public let stderrURL: URL
    /// The directory holding the output files when it belongs to this process alone (`ChildProcess`), so
    /// that removing the files can remove it too; nil for a lab's processes, whose files live in the lab's.
    let privateDirectory: URL?

    private struct Waiter {
        var continuation: CheckedContinuation<ExitStatus?, Never>?
        var cancelled = false
    }

    private struct State {
        var status: ExitStatus?
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())
    /// Signalled by the reaper once the exit is marked, for callers that have no async context and must block.
    private let exited = DispatchSemaphore(value: 0)

    private init(
        name: String, pid: Int32, arguments: [String], stdoutURL: URL, stderrURL: URL, privateDirectory: URL?
    ) {
        self.name = name
        self.pid = pid
        self.arguments = arguments
        self.stdoutURL = stdoutURL
        self.stderrURL = stderrURL
        self.privateDirectory = privateDirectory
    }

    public var description: String { "\(name) (pid \(pid))" }

    /// Starts `executable` with `arguments` (argv[0] excluded) and exactly `environment`.
    static func launch(
        name: String, executable: String, arguments: [String], environment: [String: String],
        stdoutURL: URL, stderrURL: URL, privateDirectory: URL? = nil
    ) throws -> LabProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        closeDescriptors(from: 3, in: &actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw NetworkLabError.spawnFailed(
                "\(executable) \(arguments.joined(separator: " ")): \(String(cString: strerror(result)))")
        }
        let process = LabProcess(
            name: name, pid: pid, arguments: [executable] + arguments, stdoutURL: stdoutURL, stderrURL: stderrURL,
            privateDirectory: privateDirectory)
        let reaper = Thread { process.reap() }
        reaper.name = "NetworkLab reaper \(pid)"
        reaper.start()
        return process
    }

    /// `posix_spawn_file_actions_addclosefrom_np` exists in glibc ≥ 2.34 but is declared only under
    /// `_GNU_SOURCE`, which Swift's Glibc module does not define; look it up at run time instead.
    private static func closeDescriptors(from lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
        _ = addCloseFrom(&actions, lowest)
    }

    /// Runs on the process's own thread: waits for the exit without reaping, marks it under the lock, and only
    /// then reaps. A signal is sent only under the lock while no exit is marked, so it can never reach a
    /// recycled PID.
    private func reap() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
        var raw: Int32 = 0
        let reaped: pid_t = {
            while true {
                let result = waitpid(pid, &raw, 0)
                if result == -1, errno == EINTR { continue }
                return result
            }
        }()
        let status: ExitStatus = reaped == pid ? ExitStatus(waitStatus: raw) : .exited(-1)
        let waiters = state.withLock { state in
            state.status = status
            let waiters = state.waiters.values.compactMap(\.continuation)
            state.waiters = [:]
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
        exited.signal()
    }

    /// nil while it runs.
    public var exitStatus: ExitStatus? { state.withLock { $0.status } }
    public var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` to the process and its process group (what it forked), unless it has already exited.
    public func signal(_ signal: Int32) {
        state.withLock { state in
            guard state.status == nil else { return }
            if kill(-pid, signal) != 0 { _ = kill(pid, signal) }
        }
    }

    /// Waits for the exit; nil after `timeout` or when the waiting task is cancelled. The process keeps running.
    public func waitForExit(timeout: Duration) async -> ExitStatus? {
        await withTaskGroup(of: ExitStatus?.self) { group in
            group.addTask { await self.exitOrCancellation() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
    }

    /// Blocks the calling thread until the exit; nil after `timeout`. Only for code that has no async context
    /// (static initialisers, enabling conditions, synchronous tests).
    public func waitForExitBlocking(timeout: Duration) -> ExitStatus? {
        if let status = exitStatus { return status }
        // Clamped to a day, far beyond any caller's need, so the nanosecond count cannot overflow.
        let (seconds, attoseconds) = min(max(timeout, .zero), .seconds(86_400)).components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        guard exited.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return exitStatus }
        // One signal wakes one thread: hand it on, so every other blocked caller wakes as well.
        exited.signal()
        return exitStatus
    }

    /// Waits for the exit whatever happens to the waiting task: teardown must not stop waiting because the test
    /// that owns the lab ran out of time.
    public func exit() async -> ExitStatus {
        await withCheckedContinuation { (continuation: CheckedContinuation<ExitStatus?, Never>) in
            register(continuation, id: nil)
        } ?? .exited(-1)
    }

    /// SIGTERM, then SIGKILL if it is still running after `grace`; returns once it has exited.
    @discardableResult
    public func stop(grace: Duration = .seconds(2)) async -> ExitStatus {
        signal(SIGTERM)
        if !Task.isCancelled, let status = await waitForExit(timeout: grace) { return status }
        signal(SIGKILL)
        return await exit()
    }

    /// What it wrote to standard output so far.
    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    /// What it wrote to standard error so far.
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// The last `count` lines of standard error, for failure messages.
    public func stderrTail(lines count: Int = 30) -> String {
        stderr.split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
    }

    private func exitOrCancellation() async -> ExitStatus? {
        let id = state.withLock { state in
            let id = state.nextWaiter
            state.nextWaiter += 1
            state.waiters[id] = Waiter()
            return id
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ExitStatus?, Never>) in
                register(continuation, id: id)
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<ExitStatus?, Never>? in
                guard var waiter = state.waiters[id] else { return nil }
                if let continuation = waiter.continuation {
                    state.waiters[id] = nil
                    return continuation
                }
                waiter.cancelled = true
                state.waiters[id] = waiter
                return nil
            }
            continuation?.resume(returning: nil)
        }
    }

    /// Resumes at once if the process has exited (or the waiter was cancelled before it got here).
    private func register(_ continuation: CheckedContinuation<ExitStatus?, Never>, id: Int?) {
        enum Outcome {
            case wait
            case exited(ExitStatus)
            case cancelled
        }
        let outcome = state.withLock { state -> Outcome in
            if let status = state.status {
                if let id { state.waiters[id] = nil }
                return .exited(status)
            }
            let key: Int
            if let id {
                if state.waiters[id]?.cancelled == true {
                    state.waiters[id] = nil
                    return .cancelled
                }
                key = id
            } else {
                key = state.nextWaiter
                state.nextWaiter += 1
            }
            state.waiters[key] = Waiter(continuation: continuation)
            return .wait
        }
        switch outcome {
        case .wait: break
        case .exited(let status): continuation.resume(returning: status)
        case .cancelled: continuation.resume(returning: nil)
        }
    }
}
