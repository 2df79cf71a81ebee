@testable import KubernetesClient
import KubernetesModels
import NIOCore
import Testing

/// Bytes arriving in the chunks a test chooses.
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    var chunks: [String]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: [String]
        mutating func next() async -> ByteBuffer? {
            guard !remaining.isEmpty else { return nil }
            return ByteBuffer(string: remaining.removeFirst())
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks) }
}

@Suite("Watch stream framing and decoding")
struct WatchFramingTests {
    static let added = #"{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default","resourceVersion":"5"},"data":{"k":"v"}}}"#
    static let bookmark = #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"9"}}}"#
    static let expired = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#

    func events(_ chunks: [String]) async throws -> [WatchStreamEvent<ConfigMap>] {
        var events: [WatchStreamEvent<ConfigMap>] = []
        for try await event in WatchEventSequence<Chunks, ConfigMap>(bytes: Chunks(chunks: chunks)) {
            events.append(event)
        }
        return events
    }

    @Test("an event split across many chunks is decoded once, whole")
    func splitAcrossChunks() async throws {
        let line = Self.added + "\n"
        let pieces = stride(from: 0, to: line.count, by: 7).map { start in
            String(line.dropFirst(start).prefix(7))
        }
        let events = try await events(pieces)
        #expect(events.count == 1)
        guard case .added(let configMap) = events.first else {
            Issue.record("expected ADDED, got \(events)")
            return
        }
        #expect(configMap.metadata.resourceVersion == "5")
        #expect(configMap.data == ["k": "v"])
    }

    @Test("several events in one chunk, with CRLF and blank lines, each come out")
    func manyInOneChunk() async throws {
        let events = try await events([Self.added + "\r\n\n" + Self.bookmark + "\n" + Self.expired])
        #expect(events.count == 3)
        #expect(events[1] == .bookmark(resourceVersion: "9"))
        guard case .error(let status) = events[2] else {
            Issue.record("expected ERROR, got \(events[2])")
            return
        }
        #expect(status.code == 410)
        #expect(status.reason == .expired)
    }

    @Test("a line that is not a watch event fails with a decoding error quoting it")
    func garbage() async {
        await #expect {
            _ = try await events(["{\"type\":\"ADDED\"}\n"])
        } throws: { error in
            guard case .decoding(let message) = error as? KubernetesClientError else { return false }
            return message.contains("ADDED")
        }
    }

    @Test("the ERROR object is read as a Status even for a typed watch")
    func errorForTypedWatch() throws {
        let event = try WatchLine<KubernetesService>.decode(Array(Self.expired.utf8))
        guard case .error(let status) = event else {
            Issue.record("expected ERROR, got \(event)")
            return
        }
        #expect(status.message == "too old resource version: 1 (5)")
    }

    @Test("a raw JSONValue watch decodes every event kind like the typed one")
    func rawMatchesTyped() async throws {
        let lines = [Self.added, Self.bookmark, Self.expired].map { $0 + "\n" }
        var raw: [WatchStreamEvent<JSONValue>] = []
        for try await event in WatchEventSequence<Chunks, JSONValue>(bytes: Chunks(chunks: lines)) {
            raw.append(event)
        }
        let typed = try await events(lines)
        #expect(raw.count == 3 && typed.count == 3)
        guard case .added(let object) = raw[0], case .added(let configMap) = typed[0] else {
            Issue.record("expected ADDED first, got \(raw[0])")
            return
        }
        #expect(object.metadataName == configMap.metadata.name)
        #expect(object[path: "data", "k"] == .string("v"))
        #expect(raw[1] == .bookmark(resourceVersion: "9"))
        guard case .error(let status) = raw[2] else {
            Issue.record("expected ERROR last, got \(raw[2])")
            return
        }
        #expect(status.code == 410)
    }
}
