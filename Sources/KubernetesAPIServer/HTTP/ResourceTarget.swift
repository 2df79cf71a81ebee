import KubernetesModels

/// A resource path resolved against the registry: which kind, which namespace, which object.
struct ResourceTarget: Sendable {
    var type: ResourceType
    var namespace: String?
    var name: String?
    var subresource: Subresource

    /// 404 with kube-apiserver's wording for a resource, scope or subresource the server does not serve.
    init(_ path: ResourcePath) throws(Status) {
        guard let type = ResourceRegistry.find(group: path.group, version: path.version, resource: path.resource)
        else { throw Status.pathNotFound }
        if !type.namespaced && path.namespace != nil { throw Status.pathNotFound }
        // A namespaced object can only be named inside its namespace (`/api/v1/services` lists them all).
        if type.namespaced && path.namespace == nil && path.name != nil { throw Status.pathNotFound }
        switch path.subresource {
        case nil: subresource = .main
        case "status" where type.hasStatusSubresource && path.name != nil: subresource = .status
        default: throw Status.pathNotFound
        }
        self.type = type
        self.namespace = type.namespaced ? path.namespace : nil
        self.name = path.name
    }

    /// Checks an object sent in a body against the URL and fills what the client left out, as kube-apiserver
    /// does: a missing kind, apiVersion or namespace is taken from the URL, a different one is a 400.
    func conforming(_ object: JSONValue) throws(Status) -> JSONValue {
        guard case .object = object else {
            throw Status.badRequest("the body of the request must be a \(type.kind) object")
        }
        var object = object
        if let kind = object.kind, !kind.isEmpty {
            guard kind == type.kind else {
                throw Status.badRequest("the kind in the data (\(kind)) does not match the expected kind (\(type.kind))")
            }
        } else {
            object["kind"] = .string(type.kind)
        }
        if let apiVersion = object.apiVersion, !apiVersion.isEmpty {
            guard apiVersion == type.apiVersion else {
                throw Status.badRequest(
                    "the API version in the data (\(apiVersion)) does not match the expected API version "
                        + "(\(type.apiVersion))")
            }
        } else {
            object["apiVersion"] = .string(type.apiVersion)
        }
        if let name, let bodyName = object.metadataName, !bodyName.isEmpty, bodyName != name {
            throw Status.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if let name, (object.metadataName ?? "").isEmpty { object[path: "metadata", "name"] = .string(name) }
        if type.namespaced {
            let bodyNamespace = object.metadataNamespace ?? ""
            if let namespace, !bodyNamespace.isEmpty, bodyNamespace != namespace {
                throw Status.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
            if let namespace, bodyNamespace.isEmpty { object[path: "metadata", "namespace"] = .string(namespace) }
        } else if object.metadataNamespace != nil {
            object[path: "metadata", "namespace"] = nil
        }
        return object
    }
}
