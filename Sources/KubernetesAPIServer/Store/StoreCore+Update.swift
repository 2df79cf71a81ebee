import KubernetesModels

extension StoreCore {
    mutating func update(
        _ type: ResourceType, namespace: String?, name: String, object: JSONValue, subresource: Subresource,
        dryRun: Bool
    ) throws(Status) -> JSONValue {
        let key = try storageKey(type, namespace: namespace, name: name)
        guard let old = table(type)[key] else {
            throw Status.notFound(resource: type.resource, group: type.group, name: name)
        }
        return try replace(type, key: key, old: old, body: object, subresource: subresource, dryRun: dryRun)
    }

    mutating func modify(
        _ type: ResourceType, namespace: String?, name: String, subresource: Subresource, createIfMissing: Bool,
        dryRun: Bool, _ transform: (JSONValue?) throws(Status) -> JSONValue
    ) throws(Status) -> (object: JSONValue, created: Bool) {
        let key = try storageKey(type, namespace: namespace, name: name)
        if let old = table(type)[key] {
            let body = try transform(old)
            let object = try replace(type, key: key, old: old, body: body, subresource: subresource, dryRun: dryRun)
            return (object, false)
        }
        guard createIfMissing, subresource == .main else {
            throw Status.notFound(resource: type.resource, group: type.group, name: name)
        }
        var body = try transform(nil)
        try ObjectMetadataRules.checkName(&body, matches: key)
        return (try create(type, namespace: namespace, object: body, dryRun: dryRun), true)
    }

    /// The update rules shared by PUT and PATCH.
    mutating func replace(
        _ type: ResourceType, key: StorageKey, old: JSONValue, body: JSONValue, subresource: Subresource,
        dryRun: Bool
    ) throws(Status) -> JSONValue {
        guard case .object = body else { throw Status.badRequest("the body of an update must be a JSON object") }
        try ObjectMetadataRules.checkKind(body, type)
        var body = body
        try ObjectMetadataRules.checkName(&body, matches: key)
        if let requested = body.metadataResourceVersion, !requested.isEmpty,
            requested != old.metadataResourceVersion
        {
            throw Status.conflict(resource: type.resource, group: type.group, name: key.name)
        }
        let strategy = ResourceStrategies.strategy(for: type)
        var object: JSONValue
        var plan: ServiceAllocationPlan?
        switch subresource {
        case .status:
            guard type.hasStatusSubresource else {
                throw Status.notFound(resource: "\(type.resource)/status", group: type.group, name: key.name)
            }
            object = old
            object["status"] = body["status"]
            strategy.prepareForStatusUpdate(&object, old: old)
        case .main:
            object = body
            ObjectMetadataRules.keepServerFields(&object, from: old, type: type)
            if type.hasStatusSubresource { object["status"] = old["status"] }
            strategy.applyDefaults(&object)
            strategy.prepareForUpdate(&object, old: old)
            let causes = strategy.validate(object, old: old)
            guard causes.isEmpty else { throw Status.invalid(type, name: key.name, causes: causes) }
            plan = try allocationPlan(type, object: &object, old: old)
            // After allocation, which fills in what the client left out: only a real change is a new generation.
            if object["spec"] != old["spec"] {
                let generation = old[path: "metadata", "generation"]?.intValue ?? 0
                object[path: "metadata", "generation"] = .int(generation + 1)
            }
        }
        if object == old || dryRun { return object }
        let stored = try commit(type, key: key, kind: .modified, object: object)
        if let plan { serviceAllocator.apply(plan) }
        return stored
    }
}
