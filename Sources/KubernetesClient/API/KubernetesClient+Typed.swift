import KubernetesModels
import NIOCore

/// Calls on typed objects. Decoding drops unknown fields, so write typed objects back only for kinds whose
/// model is complete enough (Leases), and use patches or the raw calls otherwise.
extension KubernetesClient {
    public func get<T: KubernetesObject>(
        _ resource: ResourceDescriptor, namespace: String?, name: String, as type: T.Type = T.self
    ) async throws -> T {
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name)
        return try Self.decode(T.self, from: try await send(APIRequest(verb: .get, path: path)).body)
    }

    public func list<T: KubernetesObject>(
        _ resource: ResourceDescriptor, namespace: String?, query: ListQuery = ListQuery(), as type: T.Type = T.self
    ) async throws -> ObjectList<T> {
        let path = resource.path(namespace: resource.namespaced ? namespace : nil)
        let body = try await send(APIRequest(verb: .get, path: path, query: query.queryItems)).body
        return try Self.decode(ObjectList<T>.self, from: body)
    }

    public func listAll<T: Codable & Sendable>(
        _ resource: ResourceDescriptor, namespace: String?, query: ListQuery = ListQuery(), pageSize: Int = 500,
        as type: T.Type = T.self
    ) async throws -> (items: [T], resourceVersion: String) {
        try await listAllPages(pageSize: pageSize, query: query) { page in
            try await self.listPage(resource, namespace: namespace, query: page, as: T.self)
        }
    }

    func listPage<T: Codable & Sendable>(
        _ resource: ResourceDescriptor, namespace: String?, query: ListQuery, as type: T.Type
    ) async throws -> ObjectList<T> {
        let path = resource.path(namespace: resource.namespaced ? namespace : nil)
        let body = try await send(APIRequest(verb: .get, path: path, query: query.queryItems)).body
        return try Self.decode(ObjectList<T>.self, from: body)
    }

    public func create<T: KubernetesObject>(
        _ resource: ResourceDescriptor, namespace: String?, _ object: T, options: WriteOptions = WriteOptions()
    ) async throws -> T {
        let path = resource.path(namespace: self.namespace(for: resource, namespace ?? object.metadata.namespace))
        let request = APIRequest(verb: .post, path: path, query: options.queryItems, body: try Self.encode(object))
        return try Self.decode(T.self, from: try await send(request).body)
    }

    /// PUT; conditional on `object.metadata.resourceVersion` when set (stale → `.conflict`).
    public func update<T: KubernetesObject>(
        _ resource: ResourceDescriptor, namespace: String?, _ object: T, subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws -> T {
        guard let name = object.metadata.name else {
            throw KubernetesClientError.status(Status.badRequest("update: the object has no metadata.name"))
        }
        let path = resource.path(
            namespace: self.namespace(for: resource, namespace ?? object.metadata.namespace), name: name,
            subresource: subresource)
        let request = APIRequest(verb: .put, path: path, query: options.queryItems, body: try Self.encode(object))
        return try Self.decode(T.self, from: try await send(request).body)
    }

    /// PUT to the `status` subresource: only `status` changes, whatever else the object carries.
    public func updateStatus<T: KubernetesObject>(
        _ resource: ResourceDescriptor, namespace: String?, _ object: T, options: WriteOptions = WriteOptions()
    ) async throws -> T {
        try await update(resource, namespace: namespace, object, subresource: "status", options: options)
    }

    public func patch<T: KubernetesObject>(
        _ resource: ResourceDescriptor, namespace: String?, name: String, type: PatchType, patch: JSONValue,
        subresource: String? = nil, options: WriteOptions = WriteOptions(), as objectType: T.Type = T.self
    ) async throws -> T {
        let object = try await self.patch(
            resource, namespace: namespace, name: name, type: type, patch: patch, subresource: subresource,
            options: options)
        do {
            return try object.decode(as: T.self)
        } catch {
            throw KubernetesClientError.decoding("\(T.self): \(error)")
        }
    }
}
