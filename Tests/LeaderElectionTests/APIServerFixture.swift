import KubernetesAPIServer
import KubernetesClient
import Logging
import ServiceLifecycle

/// Runs an in-memory `EmbeddedAPIServer` on an ephemeral port for the length of `body`; the server is
/// shut down gracefully and awaited however `body` ends.
func withAPIServer<T>(_ body: (Int) async throws -> T) async throws -> T {
    var logger = Logger(label: "leader-election-tests.api-server")
    logger.logLevel = .critical
    let server = try EmbeddedAPIServer(configuration: APIServerConfiguration(port: 0), logger: logger)
    // Stopped by a graceful shutdown, not by cancellation: cancelling the server while it accepts a
    // connection can trip swift-nio's "NIOAsyncWriter deinited without finish()" check and crash the test run.
    let services = ServiceGroup(configuration: .init(services: [server], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        do {
            let result = try await body(try await server.listeningPort())
            await services.triggerGracefulShutdown()
            try? await group.waitForAll()
            return result
        } catch {
            await services.triggerGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// A client of `http://127.0.0.1:port`, shut down however `body` ends.
func withClient<T>(port: Int, _ body: (KubernetesClient) async throws -> T) async throws -> T {
    var logger = Logger(label: "leader-election-tests.client")
    logger.logLevel = .critical
    return try await KubernetesClient.withClient(
        configuration: ClientConfiguration(server: "http://127.0.0.1:\(port)"), logger: logger, body)
}
