/// What an informer reports: changes to the set of objects it mirrors, each exactly once.
public enum InformerEvent<Object: Sendable>: Sendable {
    case added(Object)
    case updated(old: Object, new: Object)
    case deleted(Object)
    /// The cache matches the server as of a full list: sent after the first list and after every re-list
    /// (the changes a re-list implies come first, as ordinary events).
    case synced
}

extension InformerEvent: Equatable where Object: Equatable {}
