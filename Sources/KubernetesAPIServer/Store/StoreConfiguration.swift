/// How an `ObjectStore` keeps its objects.
public struct StoreConfiguration: Sendable {
    /// Where snapshot and journal live; `nil` keeps everything in memory only (`--ephemeral`).
    public var dataDirectory: String?
    /// How many past changes a watch can resume from; a watch from an older resourceVersion gets 410.
    public var historyLimit: Int = 10_000
    /// How many events a watcher may have waiting beyond its initial events before its stream is ended.
    public var watchBufferLimit: Int = 10_000
    /// The journal is fsynced after this many unsynced writes (and by `flush()`, on close, and when a
    /// second has passed since the last fsync); every write reaches the kernel immediately.
    public var journalSyncEvery: Int = 100

    public init(dataDirectory: String? = nil, historyLimit: Int = 10_000) {
        self.dataDirectory = dataDirectory
        self.historyLimit = historyLimit
    }
}
