import AsyncHTTPClient
import KubernetesModels

extension KubernetesClient {
    /// Opens a watch: `?watch=1&allowWatchBookmarks=true&resourceVersion=…&timeoutSeconds=…`.
    ///
    /// The HTTP status is checked before any event is read: a 410 throws `KubernetesClientError.expired`
    /// here (list again), other failures their own error. `timeoutSeconds` defaults to a random value in
    /// 300…600 like client-go, so that many clients do not all reconnect at the same moment.
    public func watch<T: Decodable & Sendable>(
        _ resource: ResourceDescriptor, namespace: String?, resourceVersion: String?,
        query: ListQuery = ListQuery(), timeoutSeconds: Int = Int.random(in: 300...600), as type: T.Type = T.self
    ) async throws -> WatchEventSequence<HTTPClientResponse.Body, T> {
        let path = resource.path(namespace: resource.namespaced ? namespace : nil)
        var items: [(name: String, value: String)] = [("watch", "1"), ("allowWatchBookmarks", "true")]
        if let resourceVersion, !resourceVersion.isEmpty { items.append(("resourceVersion", resourceVersion)) }
        items.append(("timeoutSeconds", String(timeoutSeconds)))
        var filters = query
        filters.limit = nil
        filters.continueToken = nil
        filters.resourceVersion = nil
        items.append(contentsOf: filters.queryItems)
        var request = APIRequest(verb: .get, path: path, query: items)
        // Over plain HTTP/1.1 (the embedded development server) a watch's connection is not handed back for
        // reuse: it ends when the server times the watch out, drops watchers or restarts, which is exactly
        // when the server may be closing it, and a request sent on it then fails or hangs. A fresh
        // connection every 5-10 minutes costs nothing. (Over TLS the API server speaks HTTP/2, where the
        // header does not exist and the stream, not the connection, ends.)
        request.closeConnection = !transport.server.lowercased().hasPrefix("https://")
        let response = try await transport.openStream(request)
        return WatchEventSequence(bytes: response.body)
    }
}
