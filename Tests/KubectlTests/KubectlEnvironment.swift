import Foundation
import KubernetesAPIServer
import Logging
import ServiceLifecycle

/// One test's world: an in-process `EmbeddedAPIServer` on a free port, a fresh `HOME` (kubectl's dispatcher
/// caches `/version` per server URL there), a kubeconfig pointing at the server and a private `--cache-dir`.
/// Everything is torn down when the test body ends, also when it throws.
struct KubectlEnvironment: Sendable {
    let server: EmbeddedAPIServer
    let home: URL

    static func with(_ body: @Sendable (KubectlEnvironment) async throws -> Void) async throws {
        var logger = Logger(label: "kubectl-test")
        logger.logLevel = .warning
        let server = try EmbeddedAPIServer(configuration: APIServerConfiguration(), logger: logger)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let port = try await server.listeningPort()
                let kubeconfig = EmbeddedAPIServer.kubeconfig(host: "127.0.0.1", port: port)
                try Data(kubeconfig.utf8).write(to: home.appendingPathComponent("kubeconfig"))
                try await body(KubectlEnvironment(server: server, home: home))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }

    var environment: [String: String] {
        [
            "HOME": home.path, "KUBECONFIG": home.appendingPathComponent("kubeconfig").path,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
    }

    /// The command line exactly as given, plus the private cache directory.
    private func arguments(_ commandLine: [String]) -> [String] {
        commandLine + ["--cache-dir=\(home.appendingPathComponent("cache").path)"]
    }

    /// Runs `kubectl ...` to completion.
    @discardableResult
    func kubectl(_ commandLine: String...) async throws -> KubectlProcess.Result {
        try await KubectlProcess.run(arguments(commandLine), environment: environment)
    }

    /// Starts a long-running `kubectl ...` (a watch); the caller must `stop()` it.
    func start(_ commandLine: String...) throws -> KubectlProcess {
        try KubectlProcess(arguments(commandLine), environment: environment)
    }

    /// A fixture under `Tests/KubectlTests/Fixtures`, found from this source file's location.
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
            .appendingPathComponent(name).path
    }
}
