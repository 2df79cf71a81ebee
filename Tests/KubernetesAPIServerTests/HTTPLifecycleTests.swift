import AsyncHTTPClient
import KubernetesAPIServer
import Logging
import ServiceLifecycle
import Testing

@Suite("Embedded API server lifecycle", .timeLimit(.minutes(1)))
struct HTTPLifecycleTests {
    static var quietLogger: Logger {
        var logger = Logger(label: "http-lifecycle-test")
        logger.logLevel = .critical
        return logger
    }

    @Test("a port already in use makes run() throw and listeningPort() report the failure")
    func portInUse() async throws {
        try await HTTPTestServer.withServer { first in
            let second = try EmbeddedAPIServer(
                configuration: APIServerConfiguration(port: first.port), logger: Self.quietLogger)
            await #expect(throws: (any Error).self) { try await second.run() }
            await #expect(throws: (any Error).self) { _ = try await second.listeningPort() }
        }
    }

    @Test("graceful shutdown ends open watches and then the server")
    func gracefulShutdownEndsWatches() async throws {
        let server = try EmbeddedAPIServer(configuration: APIServerConfiguration(), logger: Self.quietLogger)
        let group = ServiceGroup(configuration: .init(services: [server], logger: Self.quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let client = HTTPTestServer(server: server, port: try await server.listeningPort())
                let path = "/api/v1/namespaces/default/configmaps"
                let rv = try await client.listResourceVersion(path)
                let (status, lines) = try await client.watch(path + "?watch=1&resourceVersion=\(rv)")
                #expect(status == 200)
                await group.triggerGracefulShutdown()
                #expect(try await lines.all().isEmpty)
                try await tasks.waitForAll()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }

    @Test("the kubeconfig points kubectl at the server with a current context")
    func kubeconfig() {
        let text = EmbeddedAPIServer.kubeconfig(host: "127.0.0.1", port: 6443)
        #expect(text.contains("server: http://127.0.0.1:6443"))
        #expect(text.contains("current-context: kube-vip-dev"))
        #expect(EmbeddedAPIServer.kubeconfig(host: "::1", port: 6443).contains("server: http://[::1]:6443"))
    }
}
