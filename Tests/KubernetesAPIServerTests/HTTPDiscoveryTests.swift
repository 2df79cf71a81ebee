import KubernetesModels
import Testing

@Suite("HTTP discovery", .timeLimit(.minutes(1)))
struct HTTPDiscoveryTests {
    @Test("/version reports every field clients validate, as Kubernetes 1.32")
    func version() async throws {
        try await HTTPTestServer.withServer { server in
            let reply = try await server.request("GET", "/version?timeout=5s")
            #expect(reply.status == 200)
            let version = try #require(reply.json)
            for field in ["major", "minor", "gitVersion", "gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"] {
                #expect(version[field]?.stringValue?.isEmpty == false, "missing \(field)")
            }
            #expect(version["minor"] == "32")
        }
    }

    @Test("/api and /apis list the core version and the named groups")
    func groups() async throws {
        try await HTTPTestServer.withServer { server in
            #expect(try await server.request("GET", "/api").json?["versions"] == ["v1"])
            let groups = try await server.request("GET", "/apis").json?["groups"]?.arrayValue ?? []
            let names = Set(groups.compactMap { $0["name"]?.stringValue })
            #expect(names == ["apps", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io"])
        }
    }

    @Test("/api/v1 lists services with short name and status subresource")
    func coreResources() async throws {
        try await HTTPTestServer.withServer { server in
            let list = try #require(try await server.request("GET", "/api/v1").json)
            #expect(list["kind"] == "APIResourceList")
            let resources = list["resources"]?.arrayValue ?? []
            let services = try #require(resources.first { $0["name"] == "services" })
            #expect(services["shortNames"] == ["svc"])
            #expect(services["namespaced"] == true)
            #expect(services["kind"] == "Service")
            #expect(services["singularName"] == "service")
            #expect(resources.contains { $0["name"] == "services/status" })
            let namespaces = try #require(resources.first { $0["name"] == "namespaces" })
            #expect(namespaces["namespaced"] == false)
        }
    }

    @Test("/apis/{group}/{version} lists that group's kinds; an unknown group-version is 404")
    func namedGroupResources() async throws {
        try await HTTPTestServer.withServer { server in
            let leases = try await server.request("GET", "/apis/coordination.k8s.io/v1").json
            #expect(leases?["resources"]?.arrayValue?.first?["kind"] == "Lease")
            #expect(try await server.request("GET", "/apis/example.com/v1").status == 404)
        }
    }

    @Test("health endpoints answer ok")
    func health() async throws {
        try await HTTPTestServer.withServer { server in
            for path in ["/healthz", "/readyz", "/livez"] {
                let reply = try await server.request("GET", path)
                #expect(reply.status == 200)
                #expect(reply.text == "ok")
            }
        }
    }

    @Test("OpenAPI v3 tags a PATCH operation with each kind; v2 is absent")
    func openAPI() async throws {
        try await HTTPTestServer.withServer { server in
            let root = try #require(try await server.request("GET", "/openapi/v3").json)
            let core = try #require(root[path: "paths", "api/v1", "serverRelativeURL"]?.stringValue)
            let document = try #require(try await server.request("GET", core).json)
            let patch = document[path: "paths", "/api/v1/namespaces/{namespace}/services/{name}", "patch"]
            #expect(patch?["x-kubernetes-group-version-kind"] == ["group": "", "version": "v1", "kind": "Service"])
            let parameters = patch?["parameters"]?.arrayValue ?? []
            #expect(parameters.contains { $0["name"] == "fieldValidation" })
            #expect(try await server.request("GET", "/openapi/v2").status == 404)
        }
    }
}
