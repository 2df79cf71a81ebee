import Foundation
import KubernetesAPIServer
import KubernetesClient
import KubernetesModels
import Logging
import ServiceLifecycle

/// Runs a real `EmbeddedAPIServer` for the length of `body`, in a child task that is shut down gracefully and awaited
/// however `body` ends, so no server outlives its test.
@discardableResult
func withAPIServer<T>(
    port: Int = 0, dataDirectory: String? = nil,
    _ body: (EmbeddedAPIServer, Int) async throws -> T
) async throws -> T {
    var logger = Logger(label: "client-tests.api-server")
    logger.logLevel = .critical
    let server = try EmbeddedAPIServer(
        configuration: APIServerConfiguration(port: port, store: StoreConfiguration(dataDirectory: dataDirectory)),
        logger: logger)
    // Stopped by a graceful shutdown, not by cancellation: cancelling the server while it accepts a
    // connection can trip swift-nio's "NIOAsyncWriter deinited without finish()" check and crash the test run.
    let services = ServiceGroup(configuration: .init(services: [server], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        do {
            let boundPort = try await server.listeningPort()
            let result = try await body(server, boundPort)
            await services.triggerGracefulShutdown()
            try? await group.waitForAll()
            return result
        } catch {
            await services.triggerGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// A client for `http://127.0.0.1:port`, shut down however `body` ends.
@discardableResult
func withClient<T>(
    port: Int, rateLimit: RateLimit = .unlimited, retry: RetryPolicy = RetryPolicy(),
    clock: ClientClock = .continuous, _ body: (KubernetesClient) async throws -> T
) async throws -> T {
    var configuration = ClientConfiguration(server: "http://127.0.0.1:\(port)")
    configuration.rateLimit = rateLimit
    configuration.retry = retry
    var logger = Logger(label: "client-tests.client")
    logger.logLevel = .critical
    return try await KubernetesClient.withClient(configuration: configuration, clock: clock, logger: logger, body)
}

/// Informer settings for tests: quick reconnects, so a dropped watch costs milliseconds, not seconds.
let quickInformerOptions = InformerOptions(
    pageSize: 2, backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200)))

func configMap(_ name: String, _ value: String, namespace: String = "default") -> JSONValue {
    [
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)],
        "data": ["value": .string(value)],
    ]
}

/// A compact, comparable summary of an informer event: `+name=value`, `~name=old>new`, `-name`, `synced`.
func summary(_ event: InformerEvent<JSONValue>) -> String {
    func describe(_ object: JSONValue) -> String {
        "\(object.metadataName ?? "?")=\(object[path: "data", "value"]?.stringValue ?? "")"
    }
    switch event {
    case .added(let object): return "+" + describe(object)
    case .updated(let old, let new):
        return "~\(old.metadataName ?? "?")=\(old[path: "data", "value"]?.stringValue ?? "")>"
            + (new[path: "data", "value"]?.stringValue ?? "")
    case .deleted(let object): return "-\(object.metadataName ?? "?")"
    case .synced: return "synced"
    }
}

extension Informer<JSONValue>.Iterator {
    /// The next `count` events, summarised.
    mutating func take(_ count: Int) async throws -> [String] {
        var events: [String] = []
        while events.count < count {
            guard let event = try await next() else { break }
            events.append(summary(event))
        }
        return events
    }

    /// Events up to and including the first one equal to `last`.
    mutating func take(until last: String) async throws -> [String] {
        var events: [String] = []
        while let event = try await next() {
            events.append(summary(event))
            if events.last == last { break }
        }
        return events
    }
}
