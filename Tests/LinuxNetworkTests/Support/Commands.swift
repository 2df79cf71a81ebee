import Foundation
import Glibc

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

    /// Runs a command to completion; output is small (ip, sysctl), so reading it after exit is safe.
    @discardableResult
    static func run(_ arguments: [String], check: Bool = true) async throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(of: arguments[0]) ?? arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let output = Pipe()
        let errorOutput = Pipe()
        process.standardOutput = output
        process.standardError = errorOutput
        process.standardInput = FileHandle.nullDevice
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let result = CommandResult(
            status: process.terminationStatus,
            output: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            errorOutput: String(decoding: errorOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        if check, result.status != 0 { throw CommandFailed(command: arguments, result: result) }
        return result
    }

    /// Same, for a check that must finish before any test runs (the suites' enabling condition).
    static func runSynchronously(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(of: arguments[0]) ?? arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return -1
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A long-running helper process (tcpdump, arping) that is killed by its PID in every outcome.
///
/// SIGKILL because children of the test process inherit its blocked signal mask, so SIGTERM would
/// be ignored; tcpdump's `-U` output is flushed per packet, so nothing captured is lost.
final class BackgroundProcess: @unchecked Sendable {
    private let process = Process()
    let errorFile: URL

    init(_ arguments: [String], errorFile: URL) throws {
        self.errorFile = errorFile
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: Commands.path(of: arguments[0]) ?? arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var errorOutput: String {
        (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
    }

    var isRunning: Bool { process.isRunning }

    /// Polls the process's stderr until `text` shows up (tcpdump's "listening on" means its
    /// capture is armed), or fails after `timeout`.
    func waitForErrorOutput(containing text: String, timeout: Duration = .seconds(5)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !errorOutput.contains(text) {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw WaitFailed(what: "\"\(text)\" from \(process.executableURL?.lastPathComponent ?? "process"): \(errorOutput)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits for the process to exit by itself, up to `timeout`.
    func waitForExit(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw WaitFailed(what: "exit of \(process.processIdentifier)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func kill() {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

struct WaitFailed: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
