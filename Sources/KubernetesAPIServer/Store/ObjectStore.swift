import KubernetesModels
import Logging

/// The embedded API server's storage: every object of every served kind, a global resourceVersion, the
/// history that watches resume from, and (optionally) the data directory that makes it all survive restarts.
///
/// Semantics follow kube-apiserver where clients can tell the difference: one monotonic resourceVersion for
/// all writes, optimistic concurrency (409 Conflict), 410 Expired outside the kept history, status
/// subresource rules, server-filled defaults. Deletion is immediate: there are no finalizers or garbage
/// collection, so a deleted namespace takes its objects with it at once.
///
/// Watch streams never block the store: each watcher has a bounded buffer, and a watcher that falls so far
/// behind that it overflows has its stream finished. Its client then re-watches from the last
/// resourceVersion it saw (served from history, so nothing is lost) or, if that is gone too, gets 410 and
/// re-lists, exactly as after a dropped connection to a real API server.
public actor ObjectStore {
    private var core: StoreCore

    /// Loads the data directory (if configured) and creates the objects every cluster has: the namespaces
    /// `default`, `kube-system`, `kube-public`, `kube-node-lease` and the `kubernetes` Service.
    ///
    /// Throws `StoreLoadError` naming the file and line when the data directory cannot be read; the store
    /// refuses to start rather than silently dropping a user's objects.
    public init(configuration: StoreConfiguration, logger: Logger) throws {
        core = try StoreCore(configuration: configuration, logger: logger)
    }

    /// The resourceVersion of the latest write, to any kind.
    public var resourceVersion: UInt64 { core.resourceVersion }

    public func get(_ type: ResourceType, namespace: String?, name: String) throws(Status) -> JSONValue {
        try core.get(type, namespace: namespace, name: name)
    }

    /// One page of the objects that match; pages of one list are consistent with the first page's
    /// resourceVersion (410 Expired once that falls out of the history).
    public func list(_ type: ResourceType, namespace: String?, options: ListOptions) throws(Status)
        -> ObjectListPage
    {
        try core.list(type, namespace: namespace, options: options)
    }

    /// Sets uid, resourceVersion, creationTimestamp and generation, resolves `generateName`, fills the kind's
    /// defaults (a Service's clusterIP, nodePorts, …) and validates. Errors: 409 AlreadyExists, 422 Invalid
    /// (with field causes), 404 NotFound when the namespace does not exist (as kube-apiserver does).
    public func create(_ type: ResourceType, namespace: String?, object: JSONValue, dryRun: Bool = false)
        throws(Status) -> JSONValue
    {
        try core.create(type, namespace: namespace, object: object, dryRun: dryRun)
    }

    /// PUT. A non-empty `metadata.resourceVersion` that differs from the stored one is 409 Conflict.
    /// `.status` changes only `status`; `.main` keeps the stored status for kinds with a status subresource.
    /// An update that changes nothing writes nothing and keeps the resourceVersion, like kube-apiserver.
    public func update(
        _ type: ResourceType, namespace: String?, name: String, object: JSONValue, subresource: Subresource,
        dryRun: Bool = false
    ) throws(Status) -> JSONValue {
        try core.update(
            type, namespace: namespace, name: name, object: object, subresource: subresource, dryRun: dryRun)
    }

    /// PATCH and server-side apply: reads, transforms and writes in one step, so no other write can come in
    /// between. The result is validated as an update (or as a create when `createIfMissing` and the object
    /// does not exist; `transform` then receives `nil`).
    public func modify(
        _ type: ResourceType, namespace: String?, name: String, subresource: Subresource, createIfMissing: Bool,
        dryRun: Bool = false, _ transform: @Sendable (JSONValue?) throws(Status) -> JSONValue
    ) throws(Status) -> (object: JSONValue, created: Bool) {
        try core.modify(
            type, namespace: namespace, name: name, subresource: subresource, createIfMissing: createIfMissing,
            dryRun: dryRun, transform)
    }

    /// Deletes at once and returns the object as it was, with the resourceVersion of the deletion.
    /// Preconditions that do not hold are 409 Conflict.
    public func delete(
        _ type: ResourceType, namespace: String?, name: String, preconditionResourceVersion: String?,
        preconditionUID: String?, dryRun: Bool = false
    ) throws(Status) -> JSONValue {
        try core.delete(
            type, namespace: namespace, name: name, preconditionResourceVersion: preconditionResourceVersion,
            preconditionUID: preconditionUID, dryRun: dryRun)
    }

    /// Events strictly after `options.resourceVersion`; with it unset or "0", first the current state as
    /// ADDED events (like kube-apiserver). Filtered by namespace and selectors: an object that starts or
    /// stops matching arrives as ADDED or DELETED. 410 Expired when the version is older than the history.
    ///
    /// The stream ends when the store closes watches, or when the consumer falls behind by more than
    /// `StoreConfiguration.watchBufferLimit` events; either way the client resumes from the last
    /// resourceVersion it saw.
    public func watch(_ type: ResourceType, namespace: String?, options: ListOptions) throws(Status)
        -> AsyncStream<StoreEvent>
    {
        try core.watch(type, namespace: namespace, options: options)
    }

    /// Sends a bookmark (the current resourceVersion) into every open watch that allows bookmarks.
    ///
    /// Bookmarks must travel through the watch streams rather than be made up by the HTTP layer from
    /// `resourceVersion`: events still buffered in a stream may be older than the current version, and a
    /// client that recorded a newer bookmark before them would skip them when it resumes.
    public func emitBookmarks() {
        core.emitBookmarks()
    }

    /// The cluster IPs and node ports the allocator counts as taken, for tests that check it against the
    /// stored Services.
    var allocatedServiceResources: (ips: Set<UInt32>, nodePorts: Set<Int>) {
        (core.serviceAllocator.usedIPs, core.serviceAllocator.usedNodePorts)
    }

    /// How many watch streams are open (consumers that went away are forgotten at the next watch or write).
    var openWatchCount: Int { core.openWatchCount }

    /// Ends every open watch stream; clients see a dropped connection and must resume.
    public func closeAllWatches() {
        core.closeAllWatches()
    }

    /// Forgets the history up to now, so that any older resourceVersion gets 410.
    public func compact() {
        core.compact()
    }

    /// Forces the journal to disk now (writes reach the kernel immediately and are fsynced in batches).
    public func flush() throws {
        try core.flush()
    }

    /// Flushes and closes the journal and ends every watch. Writes after this fail with 503.
    public func close() throws {
        try core.close()
    }
}

/// Which part of an object a write addresses.
public enum Subresource: Sendable, Hashable {
    case main
    case status
}
