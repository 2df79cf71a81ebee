import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Object store: watches", .timeLimit(.minutes(1)))
struct StoreWatchTests {
    let store: ObjectStore
    init() throws { store = try StoreFixtures.memoryStore() }

    private func watch(
        from version: String?, namespace: String? = "default", configure: (inout ListOptions) throws -> Void = { _ in }
    ) async throws -> WatchReader {
        var options = ListOptions()
        options.resourceVersion = version
        try configure(&options)
        return WatchReader(try await store.watch(StoreFixtures.configMaps, namespace: namespace, options: options))
    }

    private func create(_ name: String, labels: [String: String] = [:]) async throws -> JSONValue {
        try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap(name, labels: labels))
    }

    @Test("a watch from a resourceVersion gets exactly the later events, in order")
    func watchFromVersion() async throws {
        _ = try await create("before")
        let start = await store.resourceVersion
        var reader = try await watch(from: String(start))
        let a = try await create("a")
        var changed = a
        changed["data"] = ["k": "v"]
        let modified = try await store.update(
            StoreFixtures.configMaps, namespace: "default", name: "a", object: changed, subresource: .main)
        let deleted = try await store.delete(
            StoreFixtures.configMaps, namespace: "default", name: "a", preconditionResourceVersion: nil,
            preconditionUID: nil)
        await store.closeAllWatches()
        let events = await reader.rest()
        #expect(
            events.map(\.summary) == [
                "ADDED a \(a.resourceVersionNumber)", "MODIFIED a \(modified.resourceVersionNumber)",
                "DELETED a \(deleted.resourceVersionNumber)",
            ])
    }

    @Test("a watch from a resourceVersion replays the changes made since then first")
    func watchReplaysHistory() async throws {
        let start = await store.resourceVersion
        _ = try await create("a")
        _ = try await create("b")
        var reader = try await watch(from: String(start))
        await store.closeAllWatches()
        #expect(await reader.rest().map { $0.object.metadataName } == ["a", "b"])
    }

    @Test("a watch from a resourceVersion the store has not reached yet starts there")
    func watchFromFuture() async throws {
        let future = await store.resourceVersion + 2
        var reader = try await watch(from: String(future))
        _ = try await create("a")
        _ = try await create("b")
        let c = try await create("c")
        await store.closeAllWatches()
        #expect(await reader.rest().map(\.summary) == ["ADDED c \(c.resourceVersionNumber)"])
    }

    @Test("a watch without a resourceVersion starts with the current objects as ADDED")
    func initialEvents() async throws {
        _ = try await create("b")
        _ = try await create("a")
        var reader = try await watch(from: nil)
        _ = try await create("c")
        await store.closeAllWatches()
        #expect(
            await reader.rest().map(\.summary).map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == [
                "ADDED a", "ADDED b", "ADDED c",
            ])
    }

    @Test("sendInitialEvents with bookmarks ends the initial events with an annotated bookmark")
    func initialEventsEndBookmark() async throws {
        _ = try await create("a")
        var reader = try await watch(from: nil) {
            $0.sendInitialEvents = true
            $0.allowWatchBookmarks = true
        }
        let events = await reader.next(2)
        #expect(events.map(\.kind) == [.added, .bookmark])
        #expect(events.last?.object[path: "metadata", "annotations", "k8s.io/initial-events-end"] == "true")
        #expect(events.last?.object.metadataResourceVersion == String(await store.resourceVersion))
    }

    @Test("a watch from a resourceVersion older than the history is 410 Expired")
    func expiredWatch() async throws {
        let start = await store.resourceVersion
        _ = try await create("a")
        await store.compact()
        let error = await #expect(throws: Status.self) {
            _ = try await watch(from: String(start))
        }
        #expect(error?.code == 410)
        #expect(error?.reason == .expired)
    }

    @Test("a watch older than a history limit that has been exceeded is 410 Expired")
    func historyLimit() async throws {
        let store = try StoreFixtures.memoryStore(historyLimit: 3)
        let start = await store.resourceVersion
        for name in ["a", "b", "c", "d"] {
            _ = try await store.create(
                StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap(name))
        }
        var options = ListOptions()
        options.resourceVersion = String(start)
        await #expect(throws: Status.self) {
            _ = try await store.watch(StoreFixtures.configMaps, namespace: "default", options: options)
        }
        options.resourceVersion = String(start + 1)
        _ = try await store.watch(StoreFixtures.configMaps, namespace: "default", options: options)
    }

    @Test("a watch sees only its namespace")
    func namespaceFilter() async throws {
        var reader = try await watch(from: String(await store.resourceVersion))
        _ = try await store.create(
            StoreFixtures.configMaps, namespace: "kube-system", object: StoreFixtures.configMap("other"))
        _ = try await create("mine")
        await store.closeAllWatches()
        #expect(await reader.rest().map { $0.object.metadataName } == ["mine"])
    }

    @Test("with a label selector, objects that start or stop matching arrive as ADDED or DELETED")
    func selectorTransitions() async throws {
        let start = await store.resourceVersion
        var reader = try await watch(from: String(start)) { $0.labelSelector = try LabelSelector(parsing: "app=web") }
        var object = try await create("a", labels: ["app": "db"])
        object[path: "metadata", "labels"] = ["app": "web"]
        object = try await store.update(
            StoreFixtures.configMaps, namespace: "default", name: "a", object: object, subresource: .main)
        object["data"] = ["k": "v"]
        object = try await store.update(
            StoreFixtures.configMaps, namespace: "default", name: "a", object: object, subresource: .main)
        object[path: "metadata", "labels"] = ["app": "db"]
        let last = try await store.update(
            StoreFixtures.configMaps, namespace: "default", name: "a", object: object, subresource: .main)
        await store.closeAllWatches()
        let events = await reader.rest()
        #expect(events.map(\.kind) == [.added, .modified, .deleted])
        #expect(events.last?.object.metadataResourceVersion == last.metadataResourceVersion)
    }

    @Test("emitBookmarks sends the current resourceVersion to watches that allow bookmarks only")
    func bookmarks() async throws {
        let start = String(await store.resourceVersion)
        var withBookmarks = try await watch(from: start) { $0.allowWatchBookmarks = true }
        var without = try await watch(from: start)
        _ = try await store.create(
            StoreFixtures.leases, namespace: "default", object: ["metadata": ["name": "l"], "spec": [:]])
        await store.emitBookmarks()
        await store.closeAllWatches()
        let events = await withBookmarks.rest()
        #expect(events.map(\.kind) == [.bookmark])
        #expect(events.first?.object.metadataResourceVersion == String(await store.resourceVersion))
        #expect(events.first?.object.kind == "ConfigMap")
        #expect(await without.rest().isEmpty)
    }

    @Test("a watcher that falls behind by more than its buffer has its stream ended, and resumes without loss")
    func slowWatcher() async throws {
        let store = try StoreFixtures.memoryStore(watchBufferLimit: 3)
        let start = await store.resourceVersion
        var options = ListOptions()
        options.resourceVersion = String(start)
        var reader = WatchReader(
            try await store.watch(StoreFixtures.configMaps, namespace: "default", options: options))
        for index in 0..<6 {
            _ = try await store.create(
                StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("cm-\(index)"))
        }
        let buffered = await reader.rest()
        #expect(buffered.count == 3)
        options.resourceVersion = buffered.last?.object.metadataResourceVersion
        var resumed = WatchReader(
            try await store.watch(StoreFixtures.configMaps, namespace: "default", options: options))
        await store.closeAllWatches()
        let rest = await resumed.rest()
        #expect((buffered + rest).compactMap(\.object.metadataName) == (0..<6).map { "cm-\($0)" })
    }

    @Test("a watch whose consumer has gone is forgotten")
    func abandonedWatch() async throws {
        do {
            let abandoned = try await store.watch(StoreFixtures.namespaces, namespace: nil, options: ListOptions())
            _ = abandoned
        }
        _ = try await watch(from: nil)
        #expect(await store.openWatchCount == 1)
    }

    @Test("closeAllWatches ends every stream")
    func closeAllWatches() async throws {
        var reader = try await watch(from: nil)
        await store.closeAllWatches()
        #expect(await reader.rest().isEmpty)
    }

    @Test(
        "re-watching from the last seen resourceVersion after dropped connections misses and repeats nothing",
        arguments: [1 as UInt64, 2, 3, 42, 2026])
    func resumeAfterDrops(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let start = await store.resourceVersion
        var lastSeen = String(start)
        var reader = try await watch(from: lastSeen)
        var expected: [String] = []
        var received: [String] = []
        var live: [String: JSONValue] = [:]
        for round in 0..<60 {
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let name = "cm-\(Int.random(in: 0..<6, using: &random))"
                if let current = live[name] {
                    if Bool.random(using: &random) {
                        var next = current
                        next["data"] = ["round": .string(String(round))]
                        let stored = try await store.update(
                            StoreFixtures.configMaps, namespace: "default", name: name, object: next, subresource: .main
                        )
                        // Writing the same data again is a no-op: no new version, no event.
                        if stored != current { expected.append("MODIFIED \(name) \(stored.resourceVersionNumber)") }
                        live[name] = stored
                    } else {
                        let deleted = try await store.delete(
                            StoreFixtures.configMaps, namespace: "default", name: name,
                            preconditionResourceVersion: nil,
                            preconditionUID: nil)
                        live[name] = nil
                        expected.append("DELETED \(name) \(deleted.resourceVersionNumber)")
                    }
                } else {
                    let stored = try await create(name)
                    live[name] = stored
                    expected.append("ADDED \(name) \(stored.resourceVersionNumber)")
                }
                if Int.random(in: 0..<4, using: &random) == 0 {
                    // Writes to another kind move the global resourceVersion without events for this watch.
                    _ = try await store.create(
                        StoreFixtures.leases, namespace: "default",
                        object: ["metadata": ["generateName": "l-"], "spec": [:]])
                }
            }
            // Read part of what is pending, as a client would before its connection drops.
            let pending = expected.count - received.count
            let toRead = pending == 0 ? 0 : Int.random(in: 0...pending, using: &random)
            for event in await reader.next(toRead) {
                received.append(event.summary)
                lastSeen = event.object.metadataResourceVersion ?? lastSeen
            }
            if Bool.random(using: &random) {
                await store.closeAllWatches()
                reader = try await watch(from: lastSeen)  // whatever the old stream still held is abandoned
            }
        }
        for event in await reader.next(expected.count - received.count) { received.append(event.summary) }
        await store.closeAllWatches()
        received += await reader.rest().map(\.summary)
        #expect(received == expected, "seed \(seed)")
    }
}
