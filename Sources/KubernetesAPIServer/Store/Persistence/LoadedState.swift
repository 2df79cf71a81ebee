import KubernetesModels

/// What start-up reads from the data directory: the objects, the resourceVersion to continue from, and the
/// journal's changes as history, so that watches from before a restart can resume.
struct LoadedState {
    var resourceVersion: UInt64 = 0
    var tables: [ResourceKey: [StorageKey: JSONValue]] = [:]
    var history: ChangeHistory

    init(historyLimit: Int) {
        history = ChangeHistory(limit: historyLimit, horizon: 0)
    }

    var objectCount: Int { tables.values.reduce(0) { $0 + $1.count } }

    mutating func apply(_ entry: JournalEntry) throws(PersistedFormatError) {
        switch entry {
        case .put(let version, let type, let object):
            let key = try PersistedFormat.storageKey(of: object, type: type)
            let previous = tables[type]?[key]
            tables[type, default: [:]][key] = object
            history.append(
                ChangeRecord(
                    resourceVersion: version, type: type, key: key, kind: previous == nil ? .added : .modified,
                    object: object, previous: previous))
        case .delete(let version, let type, let key):
            guard let previous = tables[type]?[key] else {
                throw PersistedFormatError("deletes \(type) \(key), which does not exist")
            }
            tables[type]?[key] = nil
            var last = previous
            last[path: "metadata", "resourceVersion"] = .string(String(version))
            history.append(
                ChangeRecord(
                    resourceVersion: version, type: type, key: key, kind: .deleted, object: last, previous: previous))
        }
        resourceVersion = entry.resourceVersion
    }
}
