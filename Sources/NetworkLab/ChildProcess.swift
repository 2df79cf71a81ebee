import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Programs run by tests outside any lab, in the test process's own namespaces (tcpdump reading a file,
/// openssl, kubectl, the built kube-vip), on `LabProcess`'s `posix_spawn` launcher.
///
/// Foundation's `Process` must not be used in the test binary: in the toolchain's swift-corelibs-foundation,
/// `Process.run()` over-reads a buffer while finding the highest open descriptor
/// (swift-corelibs-foundation#5472) and crashes the whole test run now and then, the more often the more
/// descriptors the suites running in parallel hold open. Besides, its children inherit the test runner's
/// blocked signal mask and its pipes' ends can leak into other children; `LabProcess` has neither problem.
public enum ChildProcess {
    /// Starts `arguments` (the program is looked up in the usual system directories unless it contains a
    /// slash) with exactly `environment`, or this process's environment when nil. Standard input is
    /// /dev/null; standard output and error go to `standardOutput` and `standardError` when given, otherwise
    /// to files in a private temporary directory.
    ///
    /// The caller owns the files: once it has read what it needs (after the exit, normally), it calls
    /// `removeFiles(of:)`, which deletes the private directory and never a file the caller named.
    public static func start(
        _ arguments: [String], environment: [String: String]? = nil, name: String? = nil,
        standardOutput: URL? = nil, standardError: URL? = nil
    ) throws -> LabProcess {
        guard let program = arguments.first else { throw NetworkLabError.spawnFailed("(nothing): no program given") }
        guard let executable = executablePath(program) else {
            throw NetworkLabError.spawnFailed("\(program): not found in \(NetworkLab.searchPath)")
        }
        var privateDirectory: URL?
        if standardOutput == nil || standardError == nil {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("child-process-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            privateDirectory = directory
        }
        do {
            return try LabProcess.launch(
                name: name ?? URL(fileURLWithPath: program).lastPathComponent, executable: executable,
                arguments: Array(arguments.dropFirst()),
                environment: environment ?? ProcessInfo.processInfo.environment,
                stdoutURL: standardOutput ?? privateDirectory?.appendingPathComponent("stdout") ?? devNull,
                stderrURL: standardError ?? privateDirectory?.appendingPathComponent("stderr") ?? devNull,
                privateDirectory: privateDirectory)
        } catch {
            if let privateDirectory { try? FileManager.default.removeItem(at: privateDirectory) }
            throw error
        }
    }

    /// Deletes the private directory `start` made for `process`'s output (nothing for a process without
    /// one). Its `stdout` and `stderr` read empty afterwards. Harmless while it still runs: it keeps writing
    /// to the unlinked files.
    public static func removeFiles(of process: LabProcess) {
        guard let directory = process.privateDirectory else { return }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `arguments` (see `start`) to its end and returns its status and output, removing its files.
    /// Still running after `timeout`, it is killed (with whatever it forked) and `NetworkLabError.timedOut`
    /// is thrown; if the waiting task is cancelled, it is killed and `CancellationError` is thrown.
    public static func run(
        _ arguments: [String], environment: [String: String]? = nil, timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        let process = try start(arguments, environment: environment)
        defer { removeFiles(of: process) }
        guard let status = await process.waitForExit(timeout: timeout) else {
            process.signal(SIGKILL)
            _ = await process.exit()
            try Task.checkCancellation()
            throw NetworkLabError.timedOut("\(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        return CommandResult(arguments: arguments, status: status, stdout: process.stdout, stderr: process.stderr)
    }

    /// `run` for code without an async context (static initialisers, enabling conditions, synchronous
    /// tests): blocks the calling thread until the program ends, so keep it to short programs.
    public static func runBlocking(
        _ arguments: [String], environment: [String: String]? = nil, timeout: Duration = .seconds(60)
    ) throws -> CommandResult {
        let process = try start(arguments, environment: environment)
        defer { removeFiles(of: process) }
        guard let status = process.waitForExitBlocking(timeout: timeout) else {
            process.signal(SIGKILL)
            // SIGKILL cannot be caught: the exit follows at once, however slowly the reaper thread runs.
            while process.waitForExitBlocking(timeout: .seconds(60)) == nil {}
            throw NetworkLabError.timedOut("\(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        return CommandResult(arguments: arguments, status: status, stdout: process.stdout, stderr: process.stderr)
    }

    private static let devNull = URL(fileURLWithPath: "/dev/null")

    private static func executablePath(_ program: String) -> String? {
        guard program.contains("/") else { return NetworkLab.executablePath(program) }
        return FileManager.default.isExecutableFile(atPath: program) ? program : nil
    }
}
