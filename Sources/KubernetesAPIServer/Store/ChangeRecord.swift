import KubernetesModels

/// One committed write, kept so that watches can resume and paginated lists can see a past state.
struct ChangeRecord: Sendable {
    enum Kind: Sendable, Hashable {
        case added, modified, deleted
    }

    var resourceVersion: UInt64
    var type: ResourceKey
    var key: StorageKey
    var kind: Kind
    /// The object after the change; for a deletion, the last state carrying the deletion's resourceVersion.
    var object: JSONValue
    /// The object before the change; `nil` for a creation. Watches with selectors need it to tell whether
    /// an object stopped matching, and past-state lists need it to undo the change.
    var previous: JSONValue?
}
