import AsyncHTTPClient
import Foundation
import KubernetesAPIServer
import KubernetesModels
import Logging
import NIOCore
import ServiceLifecycle

/// A real `EmbeddedAPIServer` on a free loopback port for the duration of one test, and a client for it.
///
/// The server runs in a ServiceGroup in a child task of the test; `withServer` shuts it down gracefully and
/// waits for it to stop whether the body succeeds or throws, so no server outlives its test.
struct HTTPTestServer: Sendable {
    let server: EmbeddedAPIServer
    let port: Int

    static func withServer<T: Sendable>(
        configure: (inout APIServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (HTTPTestServer) async throws -> T
    ) async throws -> T {
        var configuration = APIServerConfiguration()
        configure(&configuration)
        var logger = Logger(label: "http-test")
        logger.logLevel = .warning
        let server = try EmbeddedAPIServer(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body(HTTPTestServer(server: server, port: try await server.listeningPort()))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    struct Reply: Sendable {
        var status: Int
        var contentType: String?
        var text: String
        var json: JSONValue? { try? JSONValue(parsing: Data(text.utf8)) }
        /// The body decoded as a `Status`, for error responses.
        var failure: Status? { try? json?.decode(as: Status.self) }
    }

    func request(
        _ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
        accept: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
            request.headers.add(name: "Content-Type", value: contentType)
        }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Reply(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"), text: String(buffer: bytes))
    }

    func request(_ method: String, _ path: String, json: JSONValue, contentType: String = "application/json")
        async throws -> Reply
    {
        try await request(method, path, body: String(decoding: json.serialized(), as: UTF8.self), contentType: contentType)
    }

    /// The resourceVersion of a list, from which a watch sees only later changes.
    func listResourceVersion(_ path: String) async throws -> String {
        try await request("GET", path).json?[path: "metadata", "resourceVersion"]?.stringValue ?? "0"
    }

    /// Opens a watch and returns its lines as they arrive; the stream ends when the server ends the response.
    func watch(_ path: String, accept: String? = nil) async throws -> (status: Int, lines: WatchLines) {
        var request = HTTPClientRequest(url: baseURL + path)
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), WatchLines(body: response.body))
    }
}

/// Watch lines decoded as JSON, read one at a time from a single iterator (a response body can be iterated
/// only once), by the one test task that opened the watch.
final class WatchLines {
    private var lines: NIODecodedAsyncSequence<HTTPClientResponse.Body, NIOSplitLinesMessageDecoder>.AsyncIterator

    init(body: HTTPClientResponse.Body) {
        lines = body.splitLines(omittingEmptySubsequences: true, maximumBufferSize: 1 << 20).makeAsyncIterator()
    }

    /// The next event, or `nil` once the server has ended the stream.
    func next() async throws -> JSONValue? {
        while let line = try await lines.next() {
            if let event = try? JSONValue(parsing: Data(line.readableBytesView)) { return event }
        }
        return nil
    }

    /// Reads events until `predicate` accepts one (returned) or the stream ends (`nil`).
    func first(where predicate: (JSONValue) -> Bool) async throws -> JSONValue? {
        while let event = try await next() {
            if predicate(event) { return event }
        }
        return nil
    }

    /// Every remaining event, once the server ends the stream.
    func all() async throws -> [JSONValue] {
        var events: [JSONValue] = []
        while let event = try await next() { events.append(event) }
        return events
    }
}

extension JSONValue {
    static func configMap(_ name: String, namespace: String = "default", data: [String: String] = [:], labels: [String: String] = [:])
        -> JSONValue
    {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "labels": .object(labels.mapValues(JSONValue.string)),
            ],
            "data": .object(data.mapValues(JSONValue.string)),
        ]
    }

    static func loadBalancer(_ name: String, port: Int64 = 80) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name)],
            "spec": ["type": "LoadBalancer", "selector": ["app": "nginx"], "ports": [["name": "http", "port": .int(port), "protocol": "TCP"]]],
        ]
    }
}
