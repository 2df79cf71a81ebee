import Benchmark
import Foundation
import KubernetesAPIServer
import KubernetesModels
import Logging

/// The embedded API server's `ObjectStore` holding 10,000 LoadBalancer Services: writing them (in memory and
/// through the journal), listing them, and watching them arrive.
///
/// One iteration is the whole batch of 10,000, so wall clock and throughput are per batch: divide by 10,000
/// for one Service.
func registerStoreBenchmarks() {
    let services = Slot<[JSONValue]>()
    let buildServices: () async throws -> Void = {
        services.value = (0..<StoreFixture.serviceCount).map {
            Fixtures.newService($0, namespaceCount: StoreFixture.namespaceCount)
        }
    }
    let batch = Benchmark.Configuration(warmupIterations: 1, maxDuration: .seconds(15), maxIterations: 6)

    Benchmark("Store create 10,000 LoadBalancer Services (in memory)", configuration: batch) { benchmark in
        let store = try await StoreFixture.emptyStore(dataDirectory: nil)
        benchmark.startMeasurement()
        try await StoreFixture.create(services.unwrapped, in: store)
        benchmark.stopMeasurement()
        try await StoreFixture.requireServiceCount(in: store)
    } setup: {
        try await buildServices()
    }

    Benchmark("Store create 10,000 LoadBalancer Services (data directory, journal + flush)", configuration: batch) {
        benchmark in
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kube-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await StoreFixture.emptyStore(dataDirectory: directory)
        benchmark.startMeasurement()
        try await StoreFixture.create(services.unwrapped, in: store)
        try await store.flush()
        benchmark.stopMeasurement()
        try await StoreFixture.requireServiceCount(in: store)
        try await store.close()
    } setup: {
        try await buildServices()
    }

    let populated = Slot<ObjectStore>()
    let populate: () async throws -> Void = {
        try await buildServices()
        let store = try await StoreFixture.emptyStore(dataDirectory: nil)
        try await StoreFixture.create(services.unwrapped, in: store)
        populated.value = store
    }

    Benchmark(
        "Store list all Services (10,001, all namespaces)", configuration: .init(maxIterations: 200)
    ) { benchmark in
        let store = populated.unwrapped
        benchmark.startMeasurement()
        let page = try await store.list(ResourceRegistry.services, namespace: nil, options: ListOptions())
        benchmark.stopMeasurement()
        require(page.items.count == StoreFixture.serviceCount + 1, "listed \(page.items.count)")
    } setup: {
        try await populate()
    }

    Benchmark(
        "Store list one namespace (1,000 of 10,001 Services)", configuration: .init(maxIterations: 500)
    ) { benchmark in
        let store = populated.unwrapped
        benchmark.startMeasurement()
        let page = try await store.list(ResourceRegistry.services, namespace: "team-3", options: ListOptions())
        benchmark.stopMeasurement()
        let expected = StoreFixture.serviceCount / StoreFixture.namespaceCount
        require(page.items.count == expected, "listed \(page.items.count)")
    } setup: {
        try await populate()
    }

    // What `kubectl get svc -A -o json` costs the server beyond the list: the ServiceList body (~6 MB).
    Benchmark(
        "Store list all Services + serialize ServiceList JSON", configuration: .init(maxIterations: 100)
    ) { benchmark in
        let store = populated.unwrapped
        benchmark.startMeasurement()
        let page = try await store.list(ResourceRegistry.services, namespace: nil, options: ListOptions())
        let body: JSONValue = [
            "apiVersion": "v1", "kind": "ServiceList",
            "metadata": ["resourceVersion": .string(page.resourceVersion)], "items": .array(page.items),
        ]
        blackHole(body.serializedBytes())
        benchmark.stopMeasurement()
    } setup: {
        try await populate()
    }

    // An informer starting up: a watch from resourceVersion "0" receives the current state as ADDED events.
    Benchmark(
        "Store watch from rv 0: receive 10,001 initial ADDED events", configuration: .init(maxIterations: 100)
    ) { benchmark in
        let store = populated.unwrapped
        var options = ListOptions()
        options.resourceVersion = "0"
        benchmark.startMeasurement()
        let stream = try await store.watch(ResourceRegistry.services, namespace: nil, options: options)
        let received = await StoreFixture.receive(StoreFixture.serviceCount + 1, from: stream)
        benchmark.stopMeasurement()
        require(received == StoreFixture.serviceCount + 1, "received \(received) events")
    } setup: {
        try await populate()
    }

    // An informer watching while 10,000 Services are created: delivery runs alongside the writes. Compare
    // with "Store create … (in memory)" for what the open watch adds.
    Benchmark("Store watcher receives 10,000 events during 10,000 creates", configuration: batch) { benchmark in
        let store = try await StoreFixture.emptyStore(dataDirectory: nil)
        var options = ListOptions()
        options.resourceVersion = String(await store.resourceVersion)
        let stream = try await store.watch(ResourceRegistry.services, namespace: nil, options: options)
        benchmark.startMeasurement()
        let received = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { await StoreFixture.receive(StoreFixture.serviceCount, from: stream) }
            try await StoreFixture.create(services.unwrapped, in: store)
            return try await group.next() ?? 0
        }
        benchmark.stopMeasurement()
        require(received == StoreFixture.serviceCount, "received \(received) events")
    } setup: {
        try await buildServices()
    }
}

enum StoreFixture {
    static let serviceCount = 10_000
    static let namespaceCount = 10

    /// A fresh store (with the default objects) and the namespaces the Services go into.
    static func emptyStore(dataDirectory: String?) async throws -> ObjectStore {
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try ObjectStore(configuration: StoreConfiguration(dataDirectory: dataDirectory), logger: logger)
        for index in 0..<namespaceCount {
            let namespace: JSONValue = [
                "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string("team-\(index)")],
            ]
            _ = try await store.create(ResourceRegistry.namespaces, namespace: nil, object: namespace)
        }
        return store
    }

    static func create(_ services: [JSONValue], in store: ObjectStore) async throws {
        for service in services {
            let namespace = service[path: "metadata", "namespace"]?.stringValue
            _ = try await store.create(ResourceRegistry.services, namespace: namespace, object: service)
        }
    }

    static func requireServiceCount(in store: ObjectStore) async throws {
        let page = try await store.list(ResourceRegistry.services, namespace: nil, options: ListOptions())
        require(page.items.count == serviceCount + 1, "stored \(page.items.count) Services")
        let ip = page.items.first { $0[path: "metadata", "name"] == "web-9999" }?[path: "spec", "clusterIP"]
        require(ip?.stringValue?.hasPrefix("10.") == true, "web-9999 has no clusterIP")
    }

    /// Reads `count` events, or fewer if the stream ends first.
    static func receive(_ count: Int, from stream: AsyncStream<StoreEvent>) async -> Int {
        var received = 0
        for await event in stream {
            blackHole(event)
            received += 1
            if received == count { break }
        }
        return received
    }
}
