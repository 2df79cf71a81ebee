import KubernetesModels
import Testing

@Suite("HTTP object reads and writes", .timeLimit(.minutes(1)))
struct HTTPObjectTests {
    static let configMaps = "/api/v1/namespaces/kube-system/configmaps"

    @Test("a created object is returned with 201 and can be read back")
    func createAndGet() async throws {
        try await HTTPTestServer.withServer { server in
            let created = try await server.request(
                "POST", Self.configMaps + "?fieldManager=kubectl-create&fieldValidation=Strict",
                json: .configMap("kubevip", namespace: "kube-system", data: ["cidr-global": "192.168.0.220/29"]))
            #expect(created.status == 201)
            #expect(created.json?.metadataUID?.isEmpty == false)
            let read = try await server.request("GET", Self.configMaps + "/kubevip")
            #expect(read.status == 200)
            #expect(read.json?[path: "data", "cidr-global"] == "192.168.0.220/29")
        }
    }

    @Test("a YAML body creates the same object as JSON")
    func yamlCreate() async throws {
        try await HTTPTestServer.withServer { server in
            let yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: kubevip
                data:
                  cidr-default: 192.168.0.200/29
                """
            let created = try await server.request("POST", Self.configMaps, body: yaml, contentType: "application/yaml")
            #expect(created.status == 201)
            #expect(created.json?[path: "metadata", "namespace"] == "kube-system")
            #expect(created.json?[path: "data", "cidr-default"] == "192.168.0.200/29")
        }
    }

    @Test("a list carries the list kind, a resourceVersion and only the selected items")
    func listWithSelector() async throws {
        try await HTTPTestServer.withServer { server in
            _ = try await server.request("POST", Self.configMaps, json: .configMap("a", namespace: "kube-system", labels: ["app": "x"]))
            _ = try await server.request("POST", Self.configMaps, json: .configMap("b", namespace: "kube-system", labels: ["app": "y"]))
            let list = try #require(try await server.request("GET", Self.configMaps + "?labelSelector=app%3Dx").json)
            #expect(list["kind"] == "ConfigMapList")
            #expect(list[path: "metadata", "resourceVersion"]?.stringValue?.isEmpty == false)
            #expect(list["items"]?.arrayValue?.compactMap(\.metadataName) == ["a"])
        }
    }

    @Test("kubectl's Table accept header gets a Table with service columns, cluster-wide too")
    func table() async throws {
        try await HTTPTestServer.withServer { server in
            _ = try await server.request("POST", "/api/v1/namespaces/default/services", json: .loadBalancer("nginx"))
            let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
            let reply = try await server.request("GET", "/api/v1/services?limit=500", accept: accept)
            let table = try #require(reply.json)
            #expect(table["kind"] == "Table")
            let row = try #require(table["rows"]?.arrayValue?.first { $0[path: "object", "metadata", "name"] == "nginx" })
            #expect(row["cells"]?.arrayValue?[1] == "LoadBalancer")
            #expect(row["cells"]?.arrayValue?[3] == "<pending>")
        }
    }

    @Test("PUT with the current resourceVersion updates; with a stale one it is 409 Conflict")
    func optimisticConcurrency() async throws {
        try await HTTPTestServer.withServer { server in
            let created = try #require(
                try await server.request("POST", Self.configMaps, json: .configMap("c", namespace: "kube-system")).json)
            var first = created
            first["data"] = ["k": "1"]
            #expect(try await server.request("PUT", Self.configMaps + "/c", json: first).status == 200)
            var stale = created
            stale["data"] = ["k": "2"]
            let conflict = try await server.request("PUT", Self.configMaps + "/c", json: stale)
            #expect(conflict.status == 409)
            #expect(conflict.failure?.reason == .conflict)
        }
    }

    @Test("creating an existing name is 409 AlreadyExists")
    func alreadyExists() async throws {
        try await HTTPTestServer.withServer { server in
            _ = try await server.request("POST", Self.configMaps, json: .configMap("d", namespace: "kube-system"))
            let again = try await server.request("POST", Self.configMaps, json: .configMap("d", namespace: "kube-system"))
            #expect(again.status == 409)
            #expect(again.failure?.reason == .alreadyExists)
        }
    }

    @Test("merge, strategic-merge and JSON patches change the stored object")
    func patches() async throws {
        try await HTTPTestServer.withServer { server in
            let path = "/api/v1/namespaces/default/services/web"
            _ = try await server.request("POST", "/api/v1/namespaces/default/services", json: .loadBalancer("web"))
            let merge = try await server.request(
                "PATCH", path, body: #"{"metadata":{"labels":{"a":"1"}}}"#, contentType: "application/merge-patch+json")
            #expect(merge.json?[path: "metadata", "labels", "a"] == "1")
            let strategic = try await server.request(
                "PATCH", path, body: #"{"spec":{"ports":[{"name":"https","port":443,"protocol":"TCP"}]}}"#,
                contentType: "application/strategic-merge-patch+json")
            let ports = strategic.json?[path: "spec", "ports"]?.arrayValue?.compactMap { $0["port"]?.intValue }
            #expect(Set(ports ?? []) == [80, 443])
            let jsonPatch = try await server.request(
                "PATCH", path, body: #"[{"op":"add","path":"/metadata/annotations","value":{"x":"y"}}]"#,
                contentType: "application/json-patch+json")
            #expect(jsonPatch.status == 200)
            #expect(jsonPatch.json?[path: "metadata", "annotations", "x"] == "y")
        }
    }

    @Test("a status patch changes only the status")
    func statusPatch() async throws {
        try await HTTPTestServer.withServer { server in
            let path = "/api/v1/namespaces/default/services/web"
            _ = try await server.request("POST", "/api/v1/namespaces/default/services", json: .loadBalancer("web"))
            let patched = try await server.request(
                "PATCH", path + "/status",
                body: #"{"metadata":{"labels":{"ignored":"yes"}},"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.100"}]}}}"#,
                contentType: "application/merge-patch+json")
            #expect(patched.status == 200)
            let stored = try #require(try await server.request("GET", path).json)
            #expect(stored[path: "status", "loadBalancer", "ingress"] == [["ip": "198.51.100.100"]])
            #expect(stored[path: "metadata", "labels", "ignored"] == nil)
        }
    }

    @Test("server-side apply creates a missing object (201) and then updates it (200)")
    func serverSideApply() async throws {
        try await HTTPTestServer.withServer { server in
            let path = "/api/v1/namespaces/default/services/applied?fieldManager=kubectl&force=false"
            let service = String(decoding: JSONValue.loadBalancer("applied").serialized(), as: UTF8.self)
            let created = try await server.request("PATCH", path, body: service, contentType: "application/apply-patch+yaml")
            #expect(created.status == 201)
            let yaml = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: applied
                  labels:
                    tier: edge
                """
            let updated = try await server.request("PATCH", path, body: yaml, contentType: "application/apply-patch+yaml")
            #expect(updated.status == 200)
            #expect(updated.json?[path: "metadata", "labels", "tier"] == "edge")
            #expect(updated.json?[path: "spec", "type"] == "LoadBalancer")
        }
    }

    @Test("DELETE returns the deleted object, after which it is 404")
    func delete() async throws {
        try await HTTPTestServer.withServer { server in
            _ = try await server.request("POST", Self.configMaps, json: .configMap("gone", namespace: "kube-system"))
            let deleted = try await server.request(
                "DELETE", Self.configMaps + "/gone", body: #"{"propagationPolicy":"Background"}"#)
            #expect(deleted.status == 200)
            #expect(deleted.json?.metadataName == "gone")
            let missing = try await server.request("GET", Self.configMaps + "/gone")
            #expect(missing.status == 404)
            #expect(missing.failure?.message == #"configmaps "gone" not found"#)
        }
    }

    @Test("a DELETE precondition on a different uid is 409")
    func deletePrecondition() async throws {
        try await HTTPTestServer.withServer { server in
            _ = try await server.request("POST", Self.configMaps, json: .configMap("kept", namespace: "kube-system"))
            let refused = try await server.request(
                "DELETE", Self.configMaps + "/kept", body: #"{"preconditions":{"uid":"not-the-uid"}}"#)
            #expect(refused.status == 409)
            #expect(try await server.request("GET", Self.configMaps + "/kept").status == 200)
        }
    }

    @Test("dryRun=All answers like a create but stores nothing")
    func dryRun() async throws {
        try await HTTPTestServer.withServer { server in
            let reply = try await server.request(
                "POST", Self.configMaps + "?dryRun=All", json: .configMap("dry", namespace: "kube-system"))
            #expect(reply.status == 201)
            #expect(try await server.request("GET", Self.configMaps + "/dry").status == 404)
        }
    }
}
