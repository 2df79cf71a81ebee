/// One line of a watch stream: `{"type": "ADDED", "object": {...}}`.
public struct WatchEvent<Object: Codable & Sendable>: Codable, Sendable {
    public enum EventType: String, Codable, Sendable, Hashable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        /// Carries only `metadata.resourceVersion`: "you have seen everything up to here".
        case bookmark = "BOOKMARK"
        /// Carries a `Status`, e.g. 410 when the requested resourceVersion is too old.
        case error = "ERROR"
    }

    public var type: EventType
    public var object: Object

    public init(type: EventType, object: Object) {
        self.type = type
        self.object = object
    }
}

extension WatchEvent: Equatable where Object: Equatable {}
