import KubernetesModels

extension StoreCore {
    mutating func delete(
        _ type: ResourceType, namespace: String?, name: String, preconditionResourceVersion: String?,
        preconditionUID: String?, dryRun: Bool
    ) throws(Status) -> JSONValue {
        let key = try storageKey(type, namespace: namespace, name: name)
        guard let old = table(type)[key] else {
            throw Status.notFound(resource: type.resource, group: type.group, name: name)
        }
        if let uid = preconditionUID, !uid.isEmpty, uid != old.metadataUID {
            throw Status.preconditionFailed(
                type, name: name, field: "UID", precondition: uid, actual: old.metadataUID ?? "")
        }
        if let version = preconditionResourceVersion, !version.isEmpty, version != old.metadataResourceVersion {
            throw Status.preconditionFailed(
                type, name: name, field: "ResourceVersion", precondition: version,
                actual: old.metadataResourceVersion ?? "")
        }
        let isNamespace = ResourceKey(type) == ResourceKey(ResourceRegistry.namespaces)
        if isNamespace, Bootstrap.undeletableNamespaces.contains(name) {
            throw Status(
                code: 403, reason: "Forbidden",
                message: "namespaces \"\(name)\" is forbidden: this namespace may not be deleted",
                details: Status.Details(name: name, kind: type.resource))
        }
        if dryRun { return old }
        if isNamespace { try deleteContents(ofNamespace: name) }
        return try remove(type, key: key, object: old)
    }

    /// kube-apiserver empties a namespace before removing it; without finalizers this happens at once.
    private mutating func deleteContents(ofNamespace namespace: String) throws(Status) {
        for type in ResourceRegistry.all where type.namespaced {
            let keys = table(type).keys.filter { $0.namespace == namespace }.sorted()
            for key in keys {
                guard let object = table(type)[key] else { continue }
                try remove(type, key: key, object: object)
            }
        }
    }

    @discardableResult
    private mutating func remove(_ type: ResourceType, key: StorageKey, object: JSONValue) throws(Status)
        -> JSONValue
    {
        let stored = try commit(type, key: key, kind: .deleted, object: object)
        if ResourceKey(type) == ResourceKey(ResourceRegistry.services) {
            serviceAllocator.release(object)
        }
        return stored
    }
}

extension Status {
    static func preconditionFailed(
        _ type: ResourceType, name: String, field: String, precondition: String, actual: String
    ) -> Status {
        var status = Status.conflict(resource: type.resource, group: type.group, name: name)
        status.message =
            "Operation cannot be fulfilled on \(type.qualifiedResource) \"\(name)\": Precondition failed: "
            + "\(field) in precondition: \(precondition), \(field) in object meta: \(actual)"
        return status
    }
}
