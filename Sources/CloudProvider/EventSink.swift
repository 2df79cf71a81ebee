import KubernetesClient
import KubernetesModels
import Logging

/// Posts Events without holding up allocation: the allocator drops notes into a bounded buffer and one task
/// writes them through the `EventRecorder` (which aggregates repeats and rate-limits per object).
///
/// When the buffer is full (thousands of Services changing at once), further notes are dropped and counted:
/// an Event is a hint for humans, never worth delaying an address for.
struct EventSink: Sendable {
    private let stream: AsyncStream<EventNote>
    private let continuation: AsyncStream<EventNote>.Continuation
    private let recorder: EventRecorder
    private let metrics: CloudProviderMetrics

    struct EventNote: Sendable {
        let object: ObjectReference
        let type: EventRecorder.EventType
        let reason: String
        let message: String
    }

    init(recorder: EventRecorder, metrics: CloudProviderMetrics, capacity: Int = 4096) {
        (stream, continuation) = AsyncStream.makeStream(of: EventNote.self, bufferingPolicy: .bufferingOldest(capacity))
        self.recorder = recorder
        self.metrics = metrics
    }

    func post(_ note: EventNote) {
        if case .dropped = continuation.yield(note) {
            metrics.droppedEvent()
        }
    }

    /// Writes Events until the task is cancelled.
    func run() async {
        for await note in stream {
            await recorder.record(note.object, type: note.type, reason: note.reason, message: note.message)
        }
    }
}
