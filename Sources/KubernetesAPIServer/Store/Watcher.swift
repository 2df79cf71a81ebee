import KubernetesModels
import Synchronization

/// One open watch: what it wants and where its events go.
struct Watcher: Sendable {
    var type: ResourceType
    var filter: ObjectFilter
    var allowBookmarks: Bool
    var continuation: AsyncStream<StoreEvent>.Continuation
    /// Changes up to this version are not sent: a watch from a version the store has not reached yet
    /// starts there, not at the current version.
    var startsAfter: UInt64
    /// Set when the consumer stops (cancelled or dropped the stream), so that the store can forget
    /// watchers of quiet kinds without waiting for an event to find out.
    var termination: WatchTermination

    enum Delivery {
        case delivered
        /// The consumer is gone (cancelled) or fell behind and its stream was finished.
        case ended
    }

    func send(_ event: StoreEvent) -> Delivery {
        switch continuation.yield(event) {
        case .enqueued: return .delivered
        case .dropped:
            continuation.finish()
            return .ended
        case .terminated: return .ended
        @unknown default: return .ended
        }
    }

    static func bookmark(for type: ResourceType, resourceVersion: UInt64, initialEventsEnd: Bool = false)
        -> StoreEvent
    {
        var metadata: JSONValue = ["resourceVersion": .string(String(resourceVersion))]
        if initialEventsEnd {
            metadata["annotations"] = ["k8s.io/initial-events-end": "true"]
        }
        return StoreEvent(
            kind: .bookmark,
            object: ["kind": .string(type.kind), "apiVersion": .string(type.apiVersion), "metadata": metadata])
    }
}

/// Whether a watch stream's consumer has gone; written from `onTermination`, read by the store.
final class WatchTermination: Sendable {
    private let ended = Mutex(false)

    func markEnded() { ended.withLock { $0 = true } }
    var hasEnded: Bool { ended.withLock { $0 } }
}
