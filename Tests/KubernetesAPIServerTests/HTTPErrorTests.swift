import KubernetesModels
import Testing

@Suite("HTTP errors are Status objects", .timeLimit(.minutes(1)))
struct HTTPErrorTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    @Test("malformed JSON is 400 BadRequest saying it could not be decoded")
    func malformedJSON() async throws {
        try await HTTPTestServer.withServer { server in
            let reply = try await server.request("POST", Self.configMaps, body: #"{"kind": "ConfigMap", "#)
            #expect(reply.status == 400)
            #expect(reply.failure?.reason == .badRequest)
            #expect(reply.failure?.message.contains("error decoding") == true)
        }
    }

    @Test("malformed YAML is 400 BadRequest")
    func malformedYAML() async throws {
        try await HTTPTestServer.withServer { server in
            let reply = try await server.request(
                "POST", Self.configMaps, body: "metadata: [name: x\n  - y", contentType: "application/yaml")
            #expect(reply.status == 400)
            #expect(reply.failure?.message.contains("error decoding") == true)
        }
    }

    @Test("an unknown resource or path is 404 with kube-apiserver's wording")
    func unknownResource() async throws {
        try await HTTPTestServer.withServer { server in
            for path in ["/api/v1/namespaces/default/widgets", "/apis/example.com/v1/things", "/nonsense"] {
                let reply = try await server.request("GET", path)
                #expect(reply.status == 404)
                #expect(reply.failure?.message == "the server could not find the requested resource")
            }
        }
    }

    @Test("a body whose kind or apiVersion differs from the URL is 400")
    func wrongKind() async throws {
        try await HTTPTestServer.withServer { server in
            var secret = JSONValue.configMap("x")
            secret["kind"] = "Secret"
            let wrongKind = try await server.request("POST", Self.configMaps, json: secret)
            #expect(wrongKind.status == 400)
            var apps = JSONValue.configMap("x")
            apps["apiVersion"] = "apps/v1"
            let wrongVersion = try await server.request("POST", Self.configMaps, json: apps)
            #expect(wrongVersion.status == 400)
        }
    }

    @Test("a body naming another object than the URL is 400")
    func nameMismatch() async throws {
        try await HTTPTestServer.withServer { server in
            _ = try await server.request("POST", Self.configMaps, json: .configMap("a"))
            let reply = try await server.request("PUT", Self.configMaps + "/a", json: .configMap("b"))
            #expect(reply.status == 400)
            #expect(reply.failure?.message == "the name of the object (b) does not match the name on the URL (a)")
        }
    }

    @Test("an unsupported body media type is 415")
    func unsupportedMediaType() async throws {
        try await HTTPTestServer.withServer { server in
            let post = try await server.request("POST", Self.configMaps, body: "x", contentType: "text/plain")
            #expect(post.status == 415)
            #expect(post.failure?.reason == .unsupportedMediaType)
            _ = try await server.request("POST", Self.configMaps, json: .configMap("p"))
            let patch = try await server.request("PATCH", Self.configMaps + "/p", body: "{}", contentType: "application/json")
            #expect(patch.status == 415)
        }
    }

    @Test("a verb the path does not allow is 405")
    func methodNotAllowed() async throws {
        try await HTTPTestServer.withServer { server in
            let put = try await server.request("PUT", Self.configMaps, json: .configMap("a"))
            #expect(put.status == 405)
            #expect(put.failure?.reason == .methodNotAllowed)
            let postVersion = try await server.request("POST", "/version", body: "{}")
            #expect(postVersion.status == 405)
        }
    }

    @Test("an object in a namespace that does not exist is 404")
    func missingNamespace() async throws {
        try await HTTPTestServer.withServer { server in
            let reply = try await server.request(
                "POST", "/api/v1/namespaces/plunder/configmaps", json: .configMap("x", namespace: "plunder"))
            #expect(reply.status == 404)
        }
    }
}
