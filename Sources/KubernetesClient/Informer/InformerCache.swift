import KubernetesModels

/// The informer's mirror of the server's objects, keyed by namespace and name.
///
/// An actor so the owner can read it (`object(namespace:name:)`, `objects()`) while the informer's
/// iterator updates it. Every update returns the event it implies, or `nil` when nothing changed, which
/// is where duplicates (a replayed event, an unchanged object after a re-list) are filtered out.
public actor InformerCache<Object: ObjectMetadataReadable> {
    private var storage: [ObjectKey: Object] = [:]

    public init() {}

    public func object(namespace: String?, name: String) -> Object? {
        storage[ObjectKey(namespace: namespace, name: name)]
    }

    public func objects() -> [Object] { Array(storage.values) }

    public var keys: [ObjectKey] { Array(storage.keys) }

    public var count: Int { storage.count }

    /// ADDED or MODIFIED from a watch. An object whose resourceVersion equals the cached one is a replay.
    func upsert(_ object: Object) -> InformerEvent<Object>? {
        guard let key = ObjectKey(object) else { return nil }
        guard let old = storage.updateValue(object, forKey: key) else { return .added(object) }
        if old.metadataResourceVersion != nil, old.metadataResourceVersion == object.metadataResourceVersion {
            return nil
        }
        return .updated(old: old, new: object)
    }

    /// DELETED from a watch; reports the object we held (the consumer never saw the server's final copy
    /// otherwise), or nothing if we never held it.
    func remove(_ object: Object) -> InformerEvent<Object>? {
        guard let key = ObjectKey(object), storage.removeValue(forKey: key) != nil else { return nil }
        return .deleted(object)
    }

    /// Replaces everything with a fresh list and returns the differences as events: additions and changes in
    /// the list's order, then deletions of what the list no longer has (sorted, for a stable order).
    func replace(with items: [Object]) -> [InformerEvent<Object>] {
        var events: [InformerEvent<Object>] = []
        var fresh: [ObjectKey: Object] = [:]
        fresh.reserveCapacity(items.count)
        for item in items {
            guard let key = ObjectKey(item) else { continue }
            fresh[key] = item
            if let old = storage[key] {
                if old.metadataResourceVersion == nil || old.metadataResourceVersion != item.metadataResourceVersion {
                    events.append(.updated(old: old, new: item))
                }
            } else {
                events.append(.added(item))
            }
        }
        for key in storage.keys.sorted() where fresh[key] == nil {
            if let old = storage[key] { events.append(.deleted(old)) }
        }
        storage = fresh
        return events
    }
}
