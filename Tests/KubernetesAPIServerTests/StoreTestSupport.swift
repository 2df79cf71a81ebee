import Foundation
import KubernetesModels
import Logging
import Testing

@testable import KubernetesAPIServer

/// Shared set-up for the store and resource tests.
enum StoreFixtures {
    static let configMaps = ResourceRegistry.configMaps
    static let services = ResourceRegistry.services
    static let namespaces = ResourceRegistry.namespaces
    static let deployments = ResourceRegistry.deployments
    static let leases = ResourceRegistry.leases

    static func logger() -> Logger {
        var logger = Logger(label: "store-tests")
        logger.logLevel = .critical
        return logger
    }

    static func memoryStore(historyLimit: Int = 10_000, watchBufferLimit: Int = 10_000) throws -> ObjectStore {
        var configuration = StoreConfiguration(historyLimit: historyLimit)
        configuration.watchBufferLimit = watchBufferLimit
        return try ObjectStore(configuration: configuration, logger: logger())
    }

    static func configMap(_ name: String, labels: [String: String] = [:], data: [String: String] = [:]) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name)]
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
        return [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata,
            "data": .object(data.mapValues { .string($0) }),
        ]
    }

    static func service(_ name: String, type: String = "ClusterIP", ports: [JSONValue] = [["port": 80]]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
            "spec": ["type": .string(type), "ports": .array(ports), "selector": ["app": .string(name)]],
        ]
    }

    static func deployment(_ name: String, replicas: Int64 = 2) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": ["containers": [["name": "main", "image": "nginx"]]],
                ],
            ],
        ]
    }
}

/// A temporary directory removed when the test ends, even when it fails.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Reading a watch stream in tests. The store delivers events before its write call returns, so a test
/// writes first and then reads what is already there; the suites' time limit is only a safety net against
/// a test that waits for an event that never comes.
struct WatchReader {
    private var iterator: AsyncStream<StoreEvent>.AsyncIterator

    init(_ stream: AsyncStream<StoreEvent>) {
        iterator = stream.makeAsyncIterator()
    }

    /// The next event, or `nil` when the stream has ended.
    mutating func next() async -> StoreEvent? {
        await iterator.next()
    }

    mutating func next(_ count: Int) async -> [StoreEvent] {
        var events: [StoreEvent] = []
        while events.count < count, let event = await next() { events.append(event) }
        return events
    }

    /// Everything until the stream ends.
    mutating func rest() async -> [StoreEvent] {
        var events: [StoreEvent] = []
        while let event = await next() { events.append(event) }
        return events
    }
}

extension JSONValue {
    var resourceVersionNumber: UInt64 { metadataResourceVersion.flatMap(UInt64.init) ?? 0 }
}

extension StoreEvent {
    /// "ADDED web 12": compact, comparable descriptions for assertions.
    var summary: String { "\(typeName) \(object.metadataName ?? "-") \(object.metadataResourceVersion ?? "-")" }
}

/// A seeded generator, so a randomised test that fails can be replayed from the seed in its message.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
