import Foundation
import Glibc
import NetworkLab

/// The output of a finished command.
struct CommandResult {
    var status: Int32
    var output: String
    var errorOutput: String
}

struct CommandFailed: Error, CustomStringConvertible {
    var command: [String]
    var result: CommandResult
    var description: String {
        "\(command.joined(separator: " ")) exited \(result.status): \(result.errorOutput)\(result.output)"
    }
}

enum Commands {
    /// The first existing path of a tool, as PATH under `swift test` may lack the sbin directories.
    static func path(of tool: String) -> String? {
        ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map { "\($0)/\(tool)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a command to completion (killing it after a minute, a safety net only).
    @discardableResult
    static func run(_ arguments: [String], check: Bool = true) async throws -> CommandResult {
        let finished = try await ChildProcess.run(resolved(arguments))
        let result = CommandResult(status: finished.status.code, output: finished.stdout, errorOutput: finished.stderr)
        if check, result.status != 0 { throw CommandFailed(command: arguments, result: result) }
        return result
    }

    /// Same, for a check that must finish before any test runs (the suites' enabling condition).
    static func runSynchronously(_ arguments: [String]) -> Int32 {
        (try? ChildProcess.runBlocking(resolved(arguments), timeout: .seconds(30)))?.status.code ?? -1
    }

    /// `arguments` with the tool replaced by its path from `path(of:)`, when found there.
    fileprivate static func resolved(_ arguments: [String]) -> [String] {
        guard let tool = arguments.first, let path = path(of: tool) else { return arguments }
        return [path] + arguments.dropFirst()
    }
}

/// A long-running helper process (tcpdump, arping) that is killed by its PID in every outcome.
///
/// SIGKILL rather than SIGTERM because nothing it has to say is lost: tcpdump's `-U` output is flushed
/// per packet.
final class BackgroundProcess: Sendable {
    private let process: LabProcess
    let errorFile: URL

    /// Standard error goes to `errorFile`, standard output nowhere.
    init(_ arguments: [String], errorFile: URL) throws {
        self.errorFile = errorFile
        process = try ChildProcess.start(
            Commands.resolved(arguments), standardOutput: URL(fileURLWithPath: "/dev/null"), standardError: errorFile)
    }

    var errorOutput: String { process.stderr }

    var isRunning: Bool { process.isRunning }

    /// Polls the process's stderr until `text` shows up (tcpdump's "listening on" means its
    /// capture is armed), or fails after `timeout`.
    func waitForErrorOutput(containing text: String, timeout: Duration = .seconds(5)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !errorOutput.contains(text) {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw WaitFailed(what: "\"\(text)\" from \(process): \(errorOutput)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits for the process to exit by itself, up to `timeout`.
    func waitForExit(timeout: Duration) async throws {
        guard await process.waitForExit(timeout: timeout) != nil else { throw WaitFailed(what: "exit of \(process)") }
    }

    /// Kills it (and whatever it forked) and waits for the exit. Synchronous, for `defer`: the exit follows
    /// SIGKILL at once.
    func kill() {
        process.signal(SIGKILL)
        while process.waitForExitBlocking(timeout: .seconds(60)) == nil {}
    }
}

struct WaitFailed: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
