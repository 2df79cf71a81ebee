import Logging
import ObservabilityServer
import ServiceLifecycle
import Testing

@Suite("Observability server lifecycle", .timeLimit(.minutes(1)))
struct ServerLifecycleTests {
    @Test("a port already in use makes run() throw and listeningPort() answer nil")
    func portInUse() async throws {
        try await ObservabilityTestServer.withServer { first in
            let second = ObservabilityServer(
                address: BindAddress(host: "127.0.0.1", port: first.port), metrics: MetricsRegistry(),
                health: HealthChecks(), logger: ObservabilityTestServer.quietLogger)
            await #expect(throws: (any Error).self) { try await second.run() }
            #expect(await second.listeningPort() == nil)
        }
    }

    @Test("a cancelled wait for the port of a server never started answers nil")
    func cancelledWait() async {
        let server = ObservabilityServer(
            address: BindAddress(host: "127.0.0.1", port: 0), metrics: MetricsRegistry(), health: HealthChecks(),
            logger: ObservabilityTestServer.quietLogger)
        await withTaskGroup(of: Int?.self) { group in
            group.addTask { await server.listeningPort() }
            group.cancelAll()
            for await port in group { #expect(port == nil) }
        }
    }

    @Test("graceful shutdown stops the server and ends run()")
    func gracefulShutdown() async throws {
        let server = ObservabilityServer(
            address: BindAddress(host: "127.0.0.1", port: 0), metrics: MetricsRegistry(), health: HealthChecks(),
            logger: ObservabilityTestServer.quietLogger)
        let group = ServiceGroup(configuration: .init(services: [server], logger: ObservabilityTestServer.quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let port = try #require(await server.listeningPort())
                #expect(try await ObservabilityTestServer(port: port).request("/healthz").status == 200)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                // The client retries a refused connection until its deadline, so the deadline is short.
                await #expect(throws: (any Error).self) {
                    try await ObservabilityTestServer(port: port).request("/healthz", timeout: .seconds(2))
                }
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }
}
