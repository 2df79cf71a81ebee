import AsyncHTTPClient
import Logging
import ObservabilityServer
import ServiceLifecycle

/// A real `ObservabilityServer` on a free loopback port for the duration of one test, and a client for it.
///
/// The server runs in a ServiceGroup in a child task of the test; `withServer` shuts it down gracefully and
/// waits for it to stop whether the body succeeds or throws, so no server outlives its test. Requests go
/// through the process-wide `HTTPClient.shared`, which needs no shutdown.
struct ObservabilityTestServer: Sendable {
    let port: Int

    struct NeverListened: Error {}

    static var quietLogger: Logger {
        var logger = Logger(label: "observability-test")
        logger.logLevel = .critical
        return logger
    }

    static func withServer<T: Sendable>(
        metrics: MetricsRegistry = MetricsRegistry(), health: HealthChecks = HealthChecks(),
        _ body: @Sendable (ObservabilityTestServer) async throws -> T
    ) async throws -> T {
        let server = ObservabilityServer(
            address: BindAddress(host: "127.0.0.1", port: 0), metrics: metrics, health: health, logger: quietLogger)
        let group = ServiceGroup(configuration: .init(services: [server], logger: quietLogger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                guard let port = await server.listeningPort() else { throw NeverListened() }
                let result = try await body(ObservabilityTestServer(port: port))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var text: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// `timeout` is a safety net; async-http-client retries a refused connection until it expires.
    func request(_ path: String, method: String = "GET", timeout: Duration = .seconds(30)) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .init(rawValue: method)
        let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            text: String(buffer: bytes))
    }
}
