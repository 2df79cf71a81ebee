import Foundation
import KubernetesModels
import Logging

/// The store's state and rules, as a plain value owned by the `ObjectStore` actor.
///
/// Kept apart from the actor so that loading and bootstrapping can run inside the actor's synchronous
/// initializer, and so that every operation is one synchronous step: nothing can interleave between the
/// read and the write of an update.
struct StoreCore {
    let configuration: StoreConfiguration
    let logger: Logger
    private(set) var resourceVersion: UInt64
    var tables: [ResourceKey: [StorageKey: JSONValue]]
    var history: ChangeHistory
    var watchers: [ResourceKey: [Int: Watcher]] = [:]
    var nextWatcherID = 0
    var serviceAllocator: ServiceAllocator
    var journal: Journal?
    /// Held for the lock on the directory.
    var dataDirectory: DataDirectory?
    var closed = false

    init(configuration: StoreConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        var loaded = LoadedState(historyLimit: configuration.historyLimit)
        if let path = configuration.dataDirectory {
            let directory = try DataDirectory(path: path, logger: logger)
            loaded = try directory.load(historyLimit: configuration.historyLimit)
            self.dataDirectory = directory
        }
        resourceVersion = loaded.resourceVersion
        tables = loaded.tables
        history = loaded.history
        serviceAllocator = ServiceAllocator()
        for (key, service) in tables[ResourceKey(ResourceRegistry.services)] ?? [:] {
            let problems = serviceAllocator.adopt(service)
            for problem in problems {
                logger.warning("Service \(key): \(problem)")
            }
        }
        if let dataDirectory {
            try dataDirectory.writeSnapshot(tables: tables, resourceVersion: resourceVersion)
            journal = try dataDirectory.openFreshJournal(syncEvery: configuration.journalSyncEvery)
        }
        try createBootstrapObjects()
    }

    // MARK: - Reading

    func table(_ type: ResourceType) -> [StorageKey: JSONValue] {
        tables[ResourceKey(type)] ?? [:]
    }

    func storageKey(_ type: ResourceType, namespace: String?, name: String) throws(Status) -> StorageKey {
        guard type.namespaced else { return StorageKey(namespace: "", name: name) }
        guard let namespace, !namespace.isEmpty else {
            throw Status.badRequest("a namespace is required for \(type.qualifiedResource)")
        }
        return StorageKey(namespace: namespace, name: name)
    }

    func get(_ type: ResourceType, namespace: String?, name: String) throws(Status) -> JSONValue {
        let key = try storageKey(type, namespace: namespace, name: name)
        guard let object = table(type)[key] else {
            throw Status.notFound(resource: type.resource, group: type.group, name: name)
        }
        return object
    }

    // MARK: - Committing

    /// Writes one change: the journal first (a write that cannot be persisted does not happen), then
    /// memory, history and watchers. Returns the object as stored, with its new resourceVersion.
    @discardableResult
    mutating func commit(_ type: ResourceType, key: StorageKey, kind: ChangeRecord.Kind, object: JSONValue)
        throws(Status) -> JSONValue
    {
        guard !closed else {
            throw Status(code: 503, reason: .serviceUnavailable, message: "the object store is closed")
        }
        let version = resourceVersion + 1
        var stored = object
        stored[path: "metadata", "resourceVersion"] = .string(String(version))
        let resourceKey = ResourceKey(type)
        if let journal {
            do {
                switch kind {
                case .added, .modified:
                    try journal.append(.put(resourceVersion: version, type: resourceKey, object: stored))
                case .deleted:
                    try journal.append(.delete(resourceVersion: version, type: resourceKey, key: key))
                }
            } catch {
                logger.error("Journal write failed: \(error)")
                throw Status(
                    code: 500, reason: .internalError,
                    message: "Internal error occurred: could not persist the change: \(error)")
            }
        }
        resourceVersion = version
        let previous = tables[resourceKey]?[key]
        if kind == .deleted {
            tables[resourceKey]?[key] = nil
        } else {
            tables[resourceKey, default: [:]][key] = stored
        }
        let change = ChangeRecord(
            resourceVersion: version, type: resourceKey, key: key, kind: kind, object: stored, previous: previous)
        history.append(change)
        notifyWatchers(of: change)
        return stored
    }

    mutating func flush() throws {
        try journal?.sync()
    }

    mutating func close() throws {
        guard !closed else { return }
        closeAllWatches()
        closed = true
        defer {
            journal = nil
            dataDirectory?.releaseLock()
            dataDirectory = nil
        }
        try journal?.close()
    }

    mutating func compact() {
        history.removeAll(horizon: resourceVersion)
    }
}
