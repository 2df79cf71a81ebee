import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("kube-vip --log-format json")
struct BinaryJSONLogTests {
    /// At trace, NIO, the HTTP client and the API server log from several threads at once: every line must
    /// still be whole.
    @Test("makes the real binary write its log lines as JSON objects", arguments: ["info", "trace"])
    func devWritesJSONLines(level: String) async throws {
        let binary = try #require(KubeVipExecutable.path, "the kube-vip executable next to the test runner")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("json-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let standardError = directory.appendingPathComponent("stderr")

        let child = try SpawnedChild(
            binary,
            ["dev", "--port", "0", "--ephemeral", "--data-dir", directory.appendingPathComponent("data").path,
             "--log-format", "json", "--log-level", level],
            standardOutput: directory.appendingPathComponent("stdout").path, standardError: standardError.path)
        defer { child.stop() }

        // "Server started and listening" is logged at info once the port is bound.
        var text = ""
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline, !text.contains("listening"), child.isRunning() {
            try await Task.sleep(for: .milliseconds(100))
            text = (try? String(contentsOf: standardError, encoding: .utf8)) ?? ""
        }
        child.stop()
        text = (try? String(contentsOf: standardError, encoding: .utf8)) ?? ""

        let lines = text.split(separator: "\n").map(String.init)
        let logLines = lines.filter { $0.hasPrefix("{") }
        #expect(logLines.contains { $0.contains("listening") }, "stderr:\n\(text)")
        for line in logLines {
            let object = try parsedObject(line + "\n")
            #expect(object["time"] is String && object["level"] is String, "\(line)")
            #expect(object["logger"] is String && object["message"] is String, "\(line)")
            let debugging = ["trace", "debug"].contains(object["level"] as? String ?? "")
            #expect((object["file"] != nil) == debugging, "source location only at debug and trace: \(line)")
        }
        // What is not a log line is dev's announcement for people, never a text-format log line.
        let others = lines.filter { !$0.hasPrefix("{") }
        #expect(others.allSatisfy { $0.hasPrefix("kube-vip dev:") || $0.hasPrefix("Use it with") }, "stderr:\n\(text)")
    }
}

/// The `kube-vip` built with the tests: the test runner lives in the build products directory next to it.
enum KubeVipExecutable {
    static let path: String? = {
        var directories: [URL] = []
        if let runner = Bundle.main.executableURL {
            directories.append(runner.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        return directories.map { $0.appendingPathComponent("kube-vip").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}

/// A child started with `posix_spawn` (Foundation's `Process` crashes this toolchain's test runs), with a
/// clean signal mask and its output in files, stopped by its PID.
final class SpawnedChild: Sendable {
    let pid: pid_t
    private let state = Synchronization.Mutex<Int32?>(nil)

    init(_ executable: String, _ arguments: [String], standardOutput: String, standardError: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw SpawnFailed(code: result) }
        self.pid = pid
    }

    func isRunning() -> Bool {
        state.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
            return status == nil
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited within 30 s; always reaped. Safe to call twice.
    func stop() {
        guard isRunning() else { return }
        kill(pid, SIGTERM)
        for _ in 0..<300 {
            if !isRunning() { return }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        state.withLock { status in
            var raw: Int32 = 0
            if waitpid(pid, &raw, 0) == pid { status = raw }
        }
    }
}

struct SpawnFailed: Error {
    let code: Int32
}
