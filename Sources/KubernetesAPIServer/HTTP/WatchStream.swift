import Foundation
import Hummingbird
import KubernetesModels
import NIOCore
import ServiceLifecycle

/// One watch response: the store's events as newline-delimited JSON (`{"type":"ADDED","object":{…}}`), ended
/// by `timeoutSeconds`, by the store closing its watches, by graceful shutdown, or by the client going away.
///
/// Bookmarks come from the store (see `ObjectStore.emitBookmarks()`), never from this layer, so a bookmark can
/// never overtake an event still buffered in the stream. When bookmarks are allowed, a timed-out watch asks the
/// store for one more bookmark and ends right after it arrives, so the client resumes from the newest version.
struct WatchStream: Sendable {
    enum Form: Sendable {
        case object
        case table(ResourceTable)
    }

    var events: AsyncStream<StoreEvent>
    var form: Form
    var timeout: Duration
    var bookmarksAllowed: Bool
    var store: ObjectStore
    /// How long a timed-out watch waits for its final bookmark before ending without it.
    var finalBookmarkGrace: Duration = .seconds(2)

    private enum Signal: Sendable {
        case event(StoreEvent)
        case timedOut
        case ended
    }

    func write(to writer: inout any ResponseBodyWriter) async throws {
        let (signals, continuation) = AsyncStream<Signal>.makeStream()
        defer { continuation.finish() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events { continuation.yield(.event(event)) }
                continuation.yield(.ended)
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { continuation.yield(.timedOut) }
            }
            group.addTask {
                // Outside a ServiceGroup this waits until cancelled; inside one it ends the watch on shutdown.
                if (try? await gracefulShutdown()) != nil { continuation.yield(.ended) }
            }
            var awaitingFinalBookmark = false
            streaming: for await signal in signals {
                switch signal {
                case .event(let event):
                    if event.kind == .bookmark && !bookmarksAllowed { continue }
                    try await writer.write(line(for: event))
                    if awaitingFinalBookmark && event.kind == .bookmark { break streaming }
                case .timedOut:
                    guard bookmarksAllowed else { break streaming }
                    awaitingFinalBookmark = true
                    await store.emitBookmarks()
                    let grace = finalBookmarkGrace
                    group.addTask {
                        try? await Task.sleep(for: grace)
                        if !Task.isCancelled { continuation.yield(.ended) }
                    }
                case .ended:
                    break streaming
                }
            }
            group.cancelAll()
        }
        try await writer.finish(nil)
    }

    func line(for event: StoreEvent) -> ByteBuffer {
        var object = event.object
        if case .table(let table) = form, event.kind != .bookmark {
            object = table.table(for: [event.object], resourceVersion: event.object.metadataResourceVersion)
        }
        return Self.line(["type": .string(event.typeName), "object": object])
    }

    private static func line(_ value: JSONValue) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: value.serialized())
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }
}
