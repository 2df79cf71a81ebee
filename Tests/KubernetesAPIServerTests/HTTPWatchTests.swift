import KubernetesModels
import Testing

@Suite("HTTP watch", .timeLimit(.minutes(1)))
struct HTTPWatchTests {
    static let services = "/api/v1/namespaces/default/services"

    @Test("a watch from a list's resourceVersion streams later changes as ADDED, MODIFIED, DELETED")
    func changes() async throws {
        try await HTTPTestServer.withServer { server in
            let listRV = try await server.listResourceVersion(Self.services)
            let (status, lines) = try await server.watch(Self.services + "?watch=1&resourceVersion=\(listRV)")
            #expect(status == 200)
            _ = try await server.request("POST", Self.services, json: .loadBalancer("web"))
            _ = try await server.request(
                "PATCH", Self.services + "/web/status",
                body: #"{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.100"}]}}}"#,
                contentType: "application/merge-patch+json")
            _ = try await server.request("DELETE", Self.services + "/web")
            var types: [String] = []
            _ = try await lines.first { event in
                types.append(event["type"]?.stringValue ?? "?")
                return types.count == 3
            }
            #expect(types == ["ADDED", "MODIFIED", "DELETED"])
        }
    }

    @Test("without a resourceVersion the current objects come first as ADDED")
    func initialState() async throws {
        try await HTTPTestServer.withServer { server in
            _ = try await server.request("POST", Self.services, json: .loadBalancer("existing"))
            let (_, lines) = try await server.watch(Self.services + "?watch=True")
            let event = try await lines.first { $0[path: "object", "metadata", "name"] == "existing" }
            #expect(event?["type"] == "ADDED")
        }
    }

    @Test("a label selector filters watch events")
    func selector() async throws {
        try await HTTPTestServer.withServer { server in
            let path = "/api/v1/namespaces/default/configmaps"
            let rv = try await server.listResourceVersion(path)
            let (_, lines) = try await server.watch(path + "?watch=true&labelSelector=app%3Dkeep&resourceVersion=\(rv)")
            _ = try await server.request("POST", path, json: .configMap("dropped", labels: ["app": "other"]))
            _ = try await server.request("POST", path, json: .configMap("kept", labels: ["app": "keep"]))
            let first = try await lines.first { _ in true }
            #expect(first?[path: "object", "metadata", "name"] == "kept")
        }
    }

    @Test("timeoutSeconds ends the stream, with a final BOOKMARK when bookmarks are allowed")
    func timeoutWithBookmark() async throws {
        try await HTTPTestServer.withServer { server in
            let rv = try await server.listResourceVersion(Self.services)
            let (_, lines) = try await server.watch(
                Self.services + "?watch=1&resourceVersion=\(rv)&allowWatchBookmarks=true&timeoutSeconds=1")
            let events = try await lines.all()
            #expect(events.last?["type"] == "BOOKMARK")
            #expect(events.last?[path: "object", "metadata", "resourceVersion"]?.stringValue?.isEmpty == false)
        }
    }

    @Test("timeoutSeconds without bookmarks just ends the stream")
    func timeoutWithoutBookmark() async throws {
        try await HTTPTestServer.withServer { server in
            let rv = try await server.listResourceVersion(Self.services)
            let (_, lines) = try await server.watch(Self.services + "?watch=1&resourceVersion=\(rv)&timeoutSeconds=1")
            #expect(try await lines.all().allSatisfy { $0["type"] != "BOOKMARK" })
        }
    }

    @Test("an idle watch that allows bookmarks receives them periodically")
    func periodicBookmarks() async throws {
        try await HTTPTestServer.withServer(configure: { $0.bookmarkInterval = .milliseconds(200) }) { server in
            let rv = try await server.listResourceVersion(Self.services)
            let (_, lines) = try await server.watch(
                Self.services + "?watch=1&resourceVersion=\(rv)&allowWatchBookmarks=true&timeoutSeconds=50")
            let bookmark = try await lines.first { $0["type"] == "BOOKMARK" }
            #expect(bookmark?[path: "object", "kind"] == "Service")
        }
    }

    @Test("a resourceVersion older than the history is HTTP 410 Expired")
    func expired() async throws {
        try await HTTPTestServer.withServer { server in
            let first = try #require(
                try await server.request("POST", Self.services, json: .loadBalancer("a")).json?.metadataResourceVersion)
            _ = try await server.request("POST", Self.services, json: .loadBalancer("b"))
            await server.server.store.compact()
            let reply = try await server.request("GET", Self.services + "?watch=1&resourceVersion=\(first)")
            #expect(reply.status == 410)
            #expect(reply.failure?.code == 410)
            #expect(reply.failure?.reason == .expired)
        }
    }

    @Test("closing the store's watches ends the HTTP response cleanly")
    func closedByStore() async throws {
        try await HTTPTestServer.withServer { server in
            let rv = try await server.listResourceVersion(Self.services)
            let (_, lines) = try await server.watch(Self.services + "?watch=1&resourceVersion=\(rv)")
            _ = try await server.request("POST", Self.services, json: .loadBalancer("seen"))
            _ = try await lines.first { $0[path: "object", "metadata", "name"] == "seen" }
            await server.server.store.closeAllWatches()
            #expect(try await lines.all().isEmpty)
            // The watch's connection is not reused for the next request.
            #expect(try await server.request("GET", Self.services).status == 200)
        }
    }

    @Test("a Table watch streams one-row Tables")
    func tableWatch() async throws {
        try await HTTPTestServer.withServer { server in
            let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
            let rv = try await server.listResourceVersion(Self.services)
            let (_, lines) = try await server.watch(Self.services + "?watch=1&resourceVersion=\(rv)", accept: accept)
            _ = try await server.request("POST", Self.services, json: .loadBalancer("tabled"))
            let event = try await lines.first { $0[path: "object", "kind"] == "Table" }
            #expect(event?[path: "object", "rows"]?.arrayValue?.first?["cells"]?.arrayValue?.first == "tabled")
        }
    }
}
