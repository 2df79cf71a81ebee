import Synchronization

/// What the role is doing, for the readiness probe and for tests: read from any thread, written by the
/// allocator's loop.
public final class CloudProviderStatus: Sendable {
    public struct Snapshot: Sendable, Hashable {
        /// The first list of Services has been mirrored.
        public var servicesSynced = false
        /// The ConfigMap has been read (or found missing).
        public var configurationSynced = false
        public var leading = false
        /// Leading, rebuilt from every Service, and allocating.
        public var allocating = false
        public var trackedServices = 0
        public var pendingServices = 0
        public var allocatedServices = 0
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Ready once both watches have synced, so a leader change can take over at once.
    public var isReady: Bool {
        let now = snapshot
        return now.servicesSynced && now.configurationSynced
    }

    func update(_ change: (inout Snapshot) -> Void) {
        state.withLock { change(&$0) }
    }
}
