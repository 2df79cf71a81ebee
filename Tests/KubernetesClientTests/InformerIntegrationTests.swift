import Foundation
import KubernetesAPIServer
import KubernetesClient
import KubernetesModels
import Testing

/// The informer against the real embedded API server. The informer only does work while the test pulls
/// events, so a test can change objects "while nobody is listening" and then check what is reported.
@Suite("Informer against the embedded API server", .timeLimit(.minutes(1)))
struct InformerIntegrationTests {
    @Test("the initial list is reported item by item across pages, then synced, then live changes")
    func initialListThenLiveEvents() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                for name in ["a", "b", "c"] {
                    _ = try await client.create(.configMaps, namespace: "default", object: configMap(name, "1"))
                }
                let informer = client.informer(
                    .configMaps, namespace: "default", options: quickInformerOptions, as: JSONValue.self)
                var events = informer.makeAsyncIterator()
                #expect(try await events.take(4) == ["+a=1", "+b=1", "+c=1", "synced"])
                #expect(await informer.cache.count == 3)

                _ = try await client.create(.configMaps, namespace: "default", object: configMap("d", "1"))
                _ = try await client.patch(
                    .configMaps, namespace: "default", name: "a", type: .merge, patch: ["data": ["value": "2"]])
                try await client.delete(.configMaps, namespace: "default", name: "b")
                #expect(try await events.take(3) == ["+d=1", "~a=1>2", "-b"])
                #expect(await informer.cache.object(namespace: "default", name: "a")?[path: "data", "value"] == "2")
                #expect(await informer.cache.object(namespace: "default", name: "b") == nil)
            }
        }
    }

    @Test("a dropped watch resumes from the last resourceVersion without missing or repeating events")
    func survivesDroppedConnection() async throws {
        try await withAPIServer { server, port in
            try await withClient(port: port) { client in
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("keep", "1"))
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("drop", "1"))
                let informer = client.informer(
                    .configMaps, namespace: "default", options: quickInformerOptions, as: JSONValue.self)
                var events = informer.makeAsyncIterator()
                #expect(try await events.take(3) == ["+drop=1", "+keep=1", "synced"])
                // Open the watch and see one live event, so the informer holds a watch connection.
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("live", "1"))
                #expect(try await events.take(1) == ["+live=1"])

                await server.store.closeAllWatches()
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("new", "1"))
                _ = try await client.patch(
                    .configMaps, namespace: "default", name: "keep", type: .merge, patch: ["data": ["value": "2"]])
                try await client.delete(.configMaps, namespace: "default", name: "drop")
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("sentinel", "1"))

                #expect(try await events.take(until: "+sentinel=1") == ["+new=1", "~keep=1>2", "-drop", "+sentinel=1"])
            }
        }
    }

    @Test("history compacted while disconnected: 410, re-list, and the deletions in between are reported")
    func relistsAfterExpiry() async throws {
        try await withAPIServer { server, port in
            try await withClient(port: port) { client in
                for name in ["a", "b", "c"] {
                    _ = try await client.create(.configMaps, namespace: "default", object: configMap(name, "1"))
                }
                let informer = client.informer(
                    .configMaps, namespace: "default", options: quickInformerOptions, as: JSONValue.self)
                var events = informer.makeAsyncIterator()
                #expect(try await events.take(4) == ["+a=1", "+b=1", "+c=1", "synced"])
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("live", "1"))
                #expect(try await events.take(1) == ["+live=1"])

                await server.store.closeAllWatches()
                try await client.delete(.configMaps, namespace: "default", name: "b")
                _ = try await client.patch(
                    .configMaps, namespace: "default", name: "c", type: .merge, patch: ["data": ["value": "2"]])
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("d", "1"))
                await server.store.compact()

                #expect(try await events.take(until: "synced") == ["~c=1>2", "+d=1", "-b", "synced"])
                #expect(await informer.cache.keys.map(\.name).sorted() == ["a", "c", "d", "live"])

                _ = try await client.create(.configMaps, namespace: "default", object: configMap("after", "1"))
                #expect(try await events.take(1) == ["+after=1"])
            }
        }
    }

    @Test("an API server restart on the same port and data directory loses and repeats nothing")
    func survivesServerRestart() async throws {
        try await withTemporaryDirectory { directory in
            // The servers run one after the other in a child task; the test tells each when to stop, and
            // hears the port once each is listening. The second reuses the first one's port at once, so
            // no other test can take it in between.
            let (ports, portsContinuation) = AsyncStream.makeStream(of: Int.self)
            let (stops, stopsContinuation) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { portsContinuation.finish() }
                    var stop = stops.makeAsyncIterator()
                    let port = try await withAPIServer(dataDirectory: directory) { _, port in
                        portsContinuation.yield(port)
                        await stop.next()
                        return port
                    }
                    try await withAPIServer(port: port, dataDirectory: directory) { _, port in
                        portsContinuation.yield(port)
                        await stop.next()
                    }
                }
                defer { stopsContinuation.finish() }
                var listening = ports.makeAsyncIterator()
                guard let port = await listening.next() else { throw CancellationError() }
                try await withClient(port: port) { client in
                    let informer = client.informer(
                        .configMaps, namespace: "default", options: quickInformerOptions, as: JSONValue.self)
                    var events = informer.makeAsyncIterator()
                    _ = try await client.create(.configMaps, namespace: "default", object: configMap("keep", "1"))
                    _ = try await client.create(.configMaps, namespace: "default", object: configMap("drop", "1"))
                    #expect(try await events.take(3) == ["+drop=1", "+keep=1", "synced"])
                    _ = try await client.create(.configMaps, namespace: "default", object: configMap("live", "1"))
                    #expect(try await events.take(1) == ["+live=1"])

                    stopsContinuation.yield()
                    guard await listening.next() == port else { throw CancellationError() }

                    _ = try await client.create(.configMaps, namespace: "default", object: configMap("new", "1"))
                    _ = try await client.patch(
                        .configMaps, namespace: "default", name: "keep", type: .merge,
                        patch: ["data": ["value": "2"]])
                    try await client.delete(.configMaps, namespace: "default", name: "drop")
                    _ = try await client.create(.configMaps, namespace: "default", object: configMap("sentinel", "1"))

                    // Whether the new server still knows the old resourceVersion (resume) or not (410 and a
                    // re-list, which adds a `synced` and reports deletions last), each change must be
                    // reported exactly once; a second sentinel marks the end of everything.
                    var reported = try await events.take(until: "+sentinel=1")
                    _ = try await client.create(.configMaps, namespace: "default", object: configMap("final", "1"))
                    reported += try await events.take(until: "+final=1")
                    #expect(
                        reported.filter { $0 != "synced" }.sorted()
                            == ["+final=1", "+new=1", "+sentinel=1", "-drop", "~keep=1>2"])
                }
                stopsContinuation.yield()
                try await group.waitForAll()
            }
        }
    }

    @Test("cancelling the task that iterates the informer stops it")
    func cancellationStops() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                let informer = client.informer(
                    .configMaps, namespace: "default", options: quickInformerOptions, as: JSONValue.self)
                let (synced, syncedContinuation) = AsyncStream.makeStream(of: Void.self)
                let outcome = await withTaskGroup(of: String.self) { group in
                    group.addTask {
                        do {
                            for try await event in informer {
                                if case .synced = event { syncedContinuation.yield() }
                            }
                            return "finished"
                        } catch is CancellationError {
                            return "cancelled"
                        } catch {
                            return "failed: \(error)"
                        }
                    }
                    for await _ in synced { break }
                    group.cancelAll()
                    return await group.next() ?? "none"
                }
                #expect(outcome == "cancelled")
            }
        }
    }
}
