import KubernetesModels
import NIOCore

/// Calls on raw JSON objects, which keep every field the server sent.
extension KubernetesClient {
    public func get(_ resource: ResourceDescriptor, namespace: String?, name: String) async throws -> JSONValue {
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name)
        return try Self.parse(try await send(APIRequest(verb: .get, path: path)).body)
    }

    /// One page of a list. `namespace: nil` lists across all namespaces.
    public func list(_ resource: ResourceDescriptor, namespace: String?, query: ListQuery = ListQuery()) async throws
        -> ObjectList<JSONValue>
    {
        let path = resource.path(namespace: resource.namespaced ? namespace : nil)
        let body = try await send(APIRequest(verb: .get, path: path, query: query.queryItems)).body
        return try Self.decode(ObjectList<JSONValue>.self, from: body)
    }

    public func create(
        _ resource: ResourceDescriptor, namespace: String?, object: JSONValue, options: WriteOptions = WriteOptions()
    ) async throws -> JSONValue {
        let path = resource.path(namespace: self.namespace(for: resource, namespace, object: object))
        let request = APIRequest(
            verb: .post, path: path, query: options.queryItems, body: ByteBuffer(bytes: object.serialized()))
        return try Self.parse(try await send(request).body)
    }

    /// PUT. The object's `metadata.resourceVersion`, when present, makes this conditional: a stale one gets
    /// `KubernetesClientError.conflict`.
    public func update(
        _ resource: ResourceDescriptor, namespace: String?, object: JSONValue, subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws -> JSONValue {
        guard let name = object.metadataName else {
            throw KubernetesClientError.status(Status.badRequest("update: the object has no metadata.name"))
        }
        let path = resource.path(
            namespace: self.namespace(for: resource, namespace, object: object), name: name, subresource: subresource)
        let request = APIRequest(
            verb: .put, path: path, query: options.queryItems, body: ByteBuffer(bytes: object.serialized()))
        return try Self.parse(try await send(request).body)
    }

    public func patch(
        _ resource: ResourceDescriptor, namespace: String?, name: String, type: PatchType, patch: JSONValue,
        subresource: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws -> JSONValue {
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name, subresource: subresource)
        var query = options.queryItems
        if case .apply(let fieldManager, let force) = type {
            query.removeAll { $0.name == "fieldManager" }
            query.append(("fieldManager", fieldManager))
            if force { query.append(("force", "true")) }
        }
        // JSON is YAML, so an apply patch is sent as JSON too (as kubectl does).
        let request = APIRequest(
            verb: .patch, path: path, query: query, contentType: type.contentType,
            body: ByteBuffer(bytes: patch.serialized()))
        return try Self.parse(try await send(request).body)
    }

    /// Deletes an object; returns what the server answered (the deleted object or a `Status`).
    @discardableResult
    public func delete(
        _ resource: ResourceDescriptor, namespace: String?, name: String,
        preconditions: DeletePreconditions = DeletePreconditions(), options: WriteOptions = WriteOptions()
    ) async throws -> JSONValue {
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name)
        var body: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"]
        var precondition: JSONValue = [:]
        if let resourceVersion = preconditions.resourceVersion { precondition["resourceVersion"] = .string(resourceVersion) }
        if let uid = preconditions.uid { precondition["uid"] = .string(uid) }
        if precondition != [:] { body["preconditions"] = precondition }
        let request = APIRequest(
            verb: .delete, path: path, query: options.queryItems, body: ByteBuffer(bytes: body.serialized()))
        return try Self.parse(try await send(request).body)
    }

    /// Every item of a list, following continue tokens; returns the resourceVersion to watch from.
    ///
    /// If a continue token expires mid-way (410), the whole list starts again: a list stitched from pages of
    /// different snapshots would not match any one resourceVersion.
    public func listAll(
        _ resource: ResourceDescriptor, namespace: String?, query: ListQuery = ListQuery(), pageSize: Int = 500
    ) async throws -> (items: [JSONValue], resourceVersion: String) {
        try await listAllPages(pageSize: pageSize, query: query) { page in
            try await self.list(resource, namespace: namespace, query: page)
        }
    }

    func listAllPages<Item>(
        pageSize: Int, query: ListQuery, fetch: (ListQuery) async throws -> ObjectList<Item>
    ) async throws -> (items: [Item], resourceVersion: String) {
        var restarts = 0
        restart: while true {
            var items: [Item] = []
            var page = query
            page.limit = pageSize
            page.continueToken = nil
            while true {
                let list: ObjectList<Item>
                do {
                    list = try await fetch(page)
                } catch KubernetesClientError.expired(let status) where page.continueToken != nil {
                    restarts += 1
                    if restarts > 3 { throw KubernetesClientError.expired(status) }
                    continue restart
                }
                items.append(contentsOf: list.items)
                guard let next = list.metadata.continue, !next.isEmpty else {
                    return (items, list.metadata.resourceVersion ?? "")
                }
                page.continueToken = next
                // A continue token already pins the snapshot; the server rejects it together with an RV.
                page.resourceVersion = nil
            }
        }
    }
}
