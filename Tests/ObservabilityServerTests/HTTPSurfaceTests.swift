import ObservabilityServer
import Testing

@Suite("The observability port's HTTP surface", .timeLimit(.minutes(1)))
struct HTTPSurfaceTests {
    @Test("HEAD answers with the status and headers of GET but no body")
    func head() async throws {
        let health = HealthChecks()
        health.addReadiness("leader") { .failing("not the leader") }
        try await ObservabilityTestServer.withServer(health: health) { server async throws in
            let healthz = try await server.request("/healthz", method: "HEAD")
            #expect(healthz.status == 200)
            #expect(healthz.header("Content-Length") == "2")
            #expect(healthz.text.isEmpty)
            let readyz = try await server.request("/readyz", method: "HEAD")
            #expect(readyz.status == 503)
            #expect(readyz.text.isEmpty)
            let metrics = try await server.request("/metrics", method: "HEAD")
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    @Test("paths other than the endpoints answer 404", arguments: ["/", "/metric", "/metrics/", "/healthz/", "/readyz/a/b", "/debug/pprof"])
    func unknownPath(path: String) async throws {
        let reply = try await ObservabilityTestServer.withServer { try await $0.request(path) }
        #expect(reply.status == 404)
        #expect(reply.text == "404 page not found\n")
    }

    @Test("methods other than GET and HEAD answer 405 naming the allowed ones")
    func otherMethods() async throws {
        let reply = try await ObservabilityTestServer.withServer { try await $0.request("/metrics", method: "POST") }
        #expect(reply.status == 405)
        #expect(reply.header("Allow") == "GET, HEAD")
    }
}
