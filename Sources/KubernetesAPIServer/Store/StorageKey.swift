/// Where an object lives within its resource type. Ordered like etcd keys, namespace first, so that
/// paginated lists walk objects in a stable order.
struct StorageKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Empty for cluster-scoped objects.
    var namespace: String
    var name: String

    static func < (lhs: StorageKey, rhs: StorageKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}

/// Identifies a resource type in storage and on disk. The version is left out: every served kind has one
/// version, and a later second version would be a conversion of the same stored objects.
struct ResourceKey: Hashable, Sendable, CustomStringConvertible {
    var group: String
    var resource: String

    init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    init(_ type: ResourceType) {
        self.init(group: type.group, resource: type.resource)
    }

    var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}
