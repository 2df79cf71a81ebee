import Foundation
import KubernetesModels

extension StoreCore {
    mutating func create(_ type: ResourceType, namespace: String?, object body: JSONValue, dryRun: Bool)
        throws(Status) -> JSONValue
    {
        guard case .object = body else { throw Status.badRequest("the body of a create must be a JSON object") }
        try ObjectMetadataRules.checkKind(body, type)
        let strategy = ResourceStrategies.strategy(for: type)
        var object = body
        let objectNamespace = try ObjectMetadataRules.namespace(of: object, type: type, requested: namespace)
        if type.namespaced, table(ResourceRegistry.namespaces)[StorageKey(namespace: "", name: objectNamespace)] == nil
        {
            throw Status.notFound(resource: ResourceRegistry.namespaces.resource, name: objectNamespace)
        }
        var name = object.metadataName ?? ""
        let generateName = object[path: "metadata", "generateName"]?.stringValue ?? ""
        if name.isEmpty, !generateName.isEmpty {
            name = uniqueGeneratedName(type, namespace: objectNamespace, prefix: generateName)
        }
        ObjectMetadataRules.prepareForCreate(&object, type: type, name: name, namespace: objectNamespace)
        strategy.prepareForCreate(&object)
        strategy.applyDefaults(&object)

        var causes = ObjectMetadataRules.nameCauses(name: name, generateName: generateName, rule: strategy.nameRule)
        causes += strategy.validate(object, old: nil)
        guard causes.isEmpty else { throw Status.invalid(type, name: name, causes: causes) }

        let key = StorageKey(namespace: objectNamespace, name: name)
        guard table(type)[key] == nil else {
            throw Status.alreadyExists(resource: type.resource, group: type.group, name: name)
        }
        let plan = try allocationPlan(type, object: &object, old: nil)
        if dryRun { return object }
        let stored = try commit(type, key: key, kind: .added, object: object)
        if let plan { serviceAllocator.apply(plan) }
        return stored
    }

    /// The cluster-wide resources (IPs, ports) a Service needs, already written into `object`; not yet taken.
    mutating func allocationPlan(_ type: ResourceType, object: inout JSONValue, old: JSONValue?) throws(Status)
        -> ServiceAllocationPlan?
    {
        guard ResourceKey(type) == ResourceKey(ResourceRegistry.services) else { return nil }
        do {
            return try serviceAllocator.plan(for: &object, old: old)
        } catch let failure {
            throw failure.status(type, name: object.metadataName ?? "")
        }
    }

    /// `generateName` plus five random characters, as kube-apiserver does, avoiding names in use.
    func uniqueGeneratedName(_ type: ResourceType, namespace: String, prefix: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let base = String(prefix.prefix(253 - 5))
        var candidate = base
        for _ in 0..<16 {
            candidate = base + String((0..<5).compactMap { _ in alphabet.randomElement() })
            if table(type)[StorageKey(namespace: namespace, name: candidate)] == nil { break }
        }
        return candidate
    }
}

extension Status {
    /// 422 with the causes, in kube-apiserver's wording, naming the group like it does.
    static func invalid(_ type: ResourceType, name: String, causes: [Cause]) -> Status {
        var status = Status.invalid(kind: type.kind, name: name, causes: causes)
        status.details?.group = type.group.isEmpty ? nil : type.group
        return status
    }
}
