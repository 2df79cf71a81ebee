import KubernetesModels
import Logging

/// Posts Events without holding up a controller: it drops notes here and one task writes them through the
/// `EventRecorder` (which aggregates repeats and rate-limits per object).
///
/// Warnings go first and are kept up to a much larger bound than Normal notes: in a burst of thousands of new
/// Services, the one `PoolExhausted` must not queue behind (or be dropped for) routine `AddressAssigned`
/// notes. Whatever does not fit is dropped and counted: an Event is a hint for humans, never worth delaying an
/// address for.
public actor EventSink {
    public struct EventNote: Sendable {
        public let object: ObjectReference
        public let type: EventRecorder.EventType
        public let reason: String
        public let message: String

        public init(object: ObjectReference, type: EventRecorder.EventType, reason: String, message: String) {
            self.object = object
            self.type = type
            self.reason = reason
            self.message = message
        }
    }

    private let recorder: EventRecorder
    private let dropped: @Sendable () -> Void
    private let normalCapacity: Int
    private let warningCapacity: Int
    private var warnings = NoteQueue()
    private var normals = NoteQueue()
    private var waiting: CheckedContinuation<Void, Never>?

    /// - Parameter dropped: called for every note that did not fit (for a metric).
    public init(
        recorder: EventRecorder, normalCapacity: Int = 2048, warningCapacity: Int = 16384,
        dropped: @escaping @Sendable () -> Void = {}
    ) {
        self.recorder = recorder
        self.dropped = dropped
        self.normalCapacity = normalCapacity
        self.warningCapacity = warningCapacity
    }

    public func post(_ note: EventNote) {
        let accepted: Bool
        if note.type == .warning {
            accepted = warnings.count < warningCapacity
            if accepted { warnings.append(note) }
        } else {
            accepted = normals.count < normalCapacity
            if accepted { normals.append(note) }
        }
        guard accepted else {
            dropped()
            return
        }
        waiting?.resume()
        waiting = nil
    }

    /// Writes Events until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            guard let note = warnings.popFirst() ?? normals.popFirst() else {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        if Task.isCancelled {
                            continuation.resume()
                        } else {
                            waiting = continuation
                        }
                    }
                } onCancel: {
                    Task { await self.wake() }
                }
                continue
            }
            await recorder.record(note.object, type: note.type, reason: note.reason, message: note.message)
        }
    }

    private func wake() {
        waiting?.resume()
        waiting = nil
    }
}

/// A first-in first-out queue with amortised O(1) removal at the front.
private struct NoteQueue {
    private var items: [EventSink.EventNote] = []
    private var head = 0

    var count: Int { items.count - head }

    mutating func append(_ note: EventSink.EventNote) { items.append(note) }

    mutating func popFirst() -> EventSink.EventNote? {
        guard head < items.count else { return nil }
        let note = items[head]
        head += 1
        if head > 256, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return note
    }
}
