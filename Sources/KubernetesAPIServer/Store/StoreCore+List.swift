import KubernetesModels

extension StoreCore {
    func list(_ type: ResourceType, namespace: String?, options: ListOptions) throws(Status) -> ObjectListPage {
        let filter = ObjectFilter(namespace: namespace, options: options)
        let limit = options.limit.flatMap { $0 > 0 ? $0 : nil }
        var snapshotVersion = resourceVersion
        var after: StorageKey?
        if let text = options.continueToken, !text.isEmpty {
            let token = try ContinueToken(decoding: text)
            snapshotVersion = token.resourceVersion
            after = token.after
        } else if options.resourceVersionMatch == .exact,
            case .exactly(let requested) = try ResourceVersionParameter(options.resourceVersion)
        {
            snapshotVersion = requested
        } else {
            _ = try ResourceVersionParameter(options.resourceVersion)
        }
        let objects = try state(of: type, at: snapshotVersion, continuing: options.continueToken != nil)

        var keys = objects.keys.filter { key in filter.includes(key) && (after.map { key > $0 } ?? true) }
        keys.sort()
        var items: [JSONValue] = []
        var continueToken: String?
        for key in keys {
            guard let object = objects[key], filter.matches(object) else { continue }
            if let limit, items.count == limit {
                if let last = items.last, let lastKey = StorageKey(last, type: type) {
                    continueToken = ContinueToken(resourceVersion: snapshotVersion, after: lastKey).encoded
                }
                break
            }
            items.append(object)
        }
        return ObjectListPage(items: items, resourceVersion: String(snapshotVersion), continueToken: continueToken)
    }

    /// The objects of one type as they were at `version`, rebuilt by undoing the later changes.
    private func state(of type: ResourceType, at version: UInt64, continuing: Bool) throws(Status)
        -> [StorageKey: JSONValue]
    {
        let current = table(type)
        guard version != resourceVersion else { return current }
        if version > resourceVersion {
            throw Status(
                code: 504, reason: .timeout,
                message: "Too large resource version: \(version), current: \(resourceVersion)",
                details: Status.Details(retryAfterSeconds: 1))
        }
        guard history.canServe(after: version) else {
            if continuing {
                throw Status.expired(
                    "The provided continue parameter is too old to display a consistent list result. You can "
                        + "start a new list without the continue parameter.")
            }
            throw Status.tooOldResourceVersion(version, oldest: history.horizon + 1)
        }
        var objects = current
        let resourceKey = ResourceKey(type)
        for change in history.changes(after: version).reversed() where change.type == resourceKey {
            objects[change.key] = change.kind == .added ? nil : change.previous
        }
        return objects
    }
}

extension StorageKey {
    init?(_ object: JSONValue, type: ResourceType) {
        guard let name = object.metadataName else { return nil }
        self.init(namespace: type.namespaced ? object.metadataNamespace ?? "" : "", name: name)
    }
}
