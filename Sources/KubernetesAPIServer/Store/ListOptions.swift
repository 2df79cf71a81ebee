import KubernetesModels

/// The query parameters of a list or watch that the store interprets.
public struct ListOptions: Sendable {
    public var labelSelector: LabelSelector = .everything
    public var fieldSelector: FieldSelector? = nil
    public var limit: Int? = nil
    public var continueToken: String? = nil
    /// `nil`/`""`: the latest state; `"0"`: any state (we always serve the latest); a number: for a list, a
    /// state not older than it (or exactly it with `resourceVersionMatch: .exact`); for a watch, the events
    /// after it. A number older than the kept history is 410 Expired where an exact state is required.
    public var resourceVersion: String? = nil
    public var resourceVersionMatch: ResourceVersionMatch? = nil
    /// Watch only: whether the stream may carry bookmarks (see `ObjectStore.emitBookmarks()`).
    public var allowWatchBookmarks: Bool = false
    /// Watch only: `true` sends the current state as ADDED events first and, with bookmarks allowed, a
    /// bookmark annotated `k8s.io/initial-events-end` after them; `nil` keeps the legacy rule (initial
    /// events only when `resourceVersion` is unset or "0").
    public var sendInitialEvents: Bool? = nil

    public init() {}
}

/// `resourceVersionMatch` of a list.
public enum ResourceVersionMatch: String, Sendable {
    case notOlderThan = "NotOlderThan"
    case exact = "Exact"
}
