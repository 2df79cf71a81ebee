import Foundation
import NetworkLab
import Testing

@Suite(
    "kube-vip --log-format json",
    .enabled(if: NetworkLab.builtExecutable("kube-vip") != nil, "the kube-vip binary is not next to the test runner"))
struct BinaryJSONLogTests {
    /// At trace, NIO, the HTTP client and the API server log from several threads at once: every line must
    /// still be whole.
    @Test("makes the real binary write its log lines as JSON objects", arguments: ["info", "trace"])
    func devWritesJSONLines(level: String) async throws {
        let binary = try #require(NetworkLab.builtExecutable("kube-vip"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("json-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let child = try ChildProcess.start(
            [binary, "dev", "--port", "0", "--ephemeral", "--data-dir", directory.appendingPathComponent("data").path,
             "--log-format", "json", "--log-level", level],
            standardOutput: directory.appendingPathComponent("stdout"),
            standardError: directory.appendingPathComponent("stderr"))
        // dev logs "Kubernetes API ready" once the port is bound and the kubeconfig written.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline, !child.stderr.contains("Kubernetes API ready"), child.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = await child.stop()
        let text = child.stderr

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
        // Everything on stderr is JSON, dev's announcement included, so a log collector never sees plain text.
        #expect(logLines.contains { $0.contains("Kubernetes API ready") }, "stderr:\n\(text)")
        #expect(logLines.count == lines.count, "stderr:\n\(text)")
    }

    /// A pod that cannot start says why in its last log line; under JSON that line must be JSON too.
    @Test("a start-up failure is reported as a critical JSON line, and the exit status is 1")
    func startupFailureIsJSON() async throws {
        let binary = try #require(NetworkLab.builtExecutable("kube-vip"))
        let missing = "/nonexistent-\(UUID().uuidString)/kubeconfig"
        let result = try await ChildProcess.run(
            [binary, "cloud-provider", "--log-format", "json", "--kubeconfig", missing], timeout: .seconds(60))
        #expect(result.status.code == 1, "\(result)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try parsedObject(line + "\n")
            if object["level"] as? String == "critical" {
                #expect((object["message"] as? String)?.contains(missing) == true, "\(line)")
            }
        }
        #expect(lines.contains { $0.contains("\"critical\"") }, "stderr:\n\(result.stderr)")
    }
}
