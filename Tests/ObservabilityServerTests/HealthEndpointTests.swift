import ObservabilityServer
import Synchronization
import Testing

@Suite("The health endpoints", .timeLimit(.minutes(1)))
struct HealthEndpointTests {
    @Test("/healthz answers 200 ok when every liveness check passes")
    func healthzPasses() async throws {
        let health = HealthChecks()
        health.addLiveness("informer") { .ok }
        let reply = try await ObservabilityTestServer.withServer(health: health) { try await $0.request("/healthz") }
        #expect(reply.status == 200)
        #expect(reply.text == "ok")
        #expect(reply.header("Content-Type") == "text/plain; charset=utf-8")
    }

    @Test("/healthz answers 503 listing every check, with the failing one named and its reason")
    func healthzFails() async throws {
        let health = HealthChecks()
        health.addLiveness("ping") { .ok }
        health.addLiveness("informer") { .failing("watch closed") }
        let reply = try await ObservabilityTestServer.withServer(health: health) { try await $0.request("/healthz") }
        #expect(reply.status == 503)
        #expect(reply.text == "[+]ping ok\n[-]informer failed: watch closed\nhealthz check failed\n")
    }

    @Test("/livez answers from the liveness checks, as /healthz does")
    func livezMatchesHealthz() async throws {
        let health = HealthChecks()
        health.addLiveness("informer") { .failing("watch closed") }
        let reply = try await ObservabilityTestServer.withServer(health: health) { try await $0.request("/livez") }
        #expect(reply.status == 503)
        #expect(reply.text == "[-]informer failed: watch closed\nlivez check failed\n")
    }

    @Test("/readyz flips to 200 when its readiness check starts passing")
    func readyzFlips() async throws {
        let health = HealthChecks()
        let leading = Atomic(false)
        health.addReadiness("leader") { leading.load(ordering: .relaxed) ? .ok : .failing("not the leader") }
        try await ObservabilityTestServer.withServer(health: health) { server async throws in
            let before = try await server.request("/readyz")
            #expect(before.status == 503)
            #expect(before.text.contains("[-]leader failed: not the leader\n"))
            leading.store(true, ordering: .relaxed)
            let after = try await server.request("/readyz")
            #expect(after.status == 200)
            #expect(after.text == "ok")
        }
    }

    @Test("readiness checks do not affect /healthz, and liveness checks do not affect /readyz")
    func livenessAndReadinessAreSeparate() async throws {
        let health = HealthChecks()
        health.addLiveness("process") { .failing("wedged") }
        health.addReadiness("leader") { .failing("not the leader") }
        try await ObservabilityTestServer.withServer(health: health) { server async throws in
            #expect(try await server.request("/healthz").text == "[-]process failed: wedged\nhealthz check failed\n")
            #expect(try await server.request("/readyz").text == "[-]leader failed: not the leader\nreadyz check failed\n")
        }
    }

    @Test("?verbose lists every check on success, then the verdict")
    func verbose() async throws {
        let health = HealthChecks()
        health.addReadiness("informer-synced") { .ok }
        health.addReadiness("leader") { .ok }
        let reply = try await ObservabilityTestServer.withServer(health: health) { try await $0.request("/readyz?verbose") }
        #expect(reply.status == 200)
        #expect(reply.text == "[+]informer-synced ok\n[+]leader ok\nreadyz check passed\n")
    }

    @Test("?exclude skips a failing check and warns about names that match none")
    func exclude() async throws {
        let health = HealthChecks()
        health.addReadiness("leader") { .failing("not the leader") }
        health.addReadiness("informer") { .ok }
        try await ObservabilityTestServer.withServer(health: health) { server async throws in
            let reply = try await server.request("/readyz?exclude=leader&exclude=etcd")
            #expect(reply.status == 200)
            #expect(reply.text == "ok")
            let verbose = try await server.request("/readyz?verbose&exclude=leader&exclude=etcd")
            #expect(verbose.text == """
                [+]leader excluded: ok
                [+]informer ok
                warn: some health checks cannot be excluded: no matches for "etcd"
                readyz check passed

                """)
        }
    }

    @Test("/readyz/NAME answers for that one check, and 404 for a name no check has")
    func singleCheck() async throws {
        let health = HealthChecks()
        health.addReadiness("leader") { .failing("not the leader") }
        health.addReadiness("informer") { .ok }
        try await ObservabilityTestServer.withServer(health: health) { server async throws in
            let failing = try await server.request("/readyz/leader")
            #expect(failing.status == 503)
            #expect(failing.text == "[-]leader failed: not the leader\n")
            let passing = try await server.request("/readyz/informer")
            #expect(passing.status == 200)
            #expect(passing.text == "ok")
            #expect(try await server.request("/readyz/etcd").status == 404)
        }
    }

    @Test("with no checks registered every probe passes")
    func noChecks() async throws {
        try await ObservabilityTestServer.withServer { server async throws in
            #expect(try await server.request("/healthz").status == 200)
            #expect(try await server.request("/readyz?verbose").text == "readyz check passed\n")
        }
    }

    @Test("a reason with line breaks stays on the check's one line")
    func multilineReason() async throws {
        let health = HealthChecks()
        health.addLiveness("informer") { .failing("first\nsecond") }
        let reply = try await ObservabilityTestServer.withServer(health: health) { try await $0.request("/healthz") }
        #expect(reply.text == "[-]informer failed: first second\nhealthz check failed\n")
    }
}
