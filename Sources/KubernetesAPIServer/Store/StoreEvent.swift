import KubernetesModels

/// One event of a store watch, already filtered for the watcher.
public struct StoreEvent: Sendable {
    public enum Kind: Sendable, Hashable {
        case added, modified, deleted, bookmark
    }

    public var kind: Kind
    /// The object; for a bookmark only `kind`, `apiVersion` and `metadata.resourceVersion` (plus the
    /// `k8s.io/initial-events-end` annotation after initial events).
    public var object: JSONValue

    public init(kind: Kind, object: JSONValue) {
        self.kind = kind
        self.object = object
    }

    /// The watch line's `type` as Kubernetes spells it.
    public var typeName: String {
        switch kind {
        case .added: "ADDED"
        case .modified: "MODIFIED"
        case .deleted: "DELETED"
        case .bookmark: "BOOKMARK"
        }
    }
}
