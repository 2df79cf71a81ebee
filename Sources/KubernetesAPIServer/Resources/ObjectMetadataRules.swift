import Foundation
import KubernetesModels

/// The metadata rules every kind shares: who may set which field, and what the server fills in.
enum ObjectMetadataRules {
    /// A body naming another kind is refused rather than stored under the wrong type.
    static func checkKind(_ object: JSONValue, _ type: ResourceType) throws(Status) {
        if let kind = object.kind, !kind.isEmpty, kind != type.kind {
            throw Status.invalid(
                type, name: object.metadataName ?? "",
                causes: [
                    Status.Cause(
                        reason: "FieldValueInvalid",
                        message: "Invalid value: \"\(kind)\": must be \(type.kind)", field: "kind")
                ])
        }
    }

    /// The namespace a new object goes to: the request's, which the body may repeat but not contradict.
    static func namespace(of object: JSONValue, type: ResourceType, requested: String?) throws(Status) -> String {
        guard type.namespaced else { return "" }
        let inBody = object.metadataNamespace ?? ""
        let inRequest = requested ?? ""
        if !inBody.isEmpty, !inRequest.isEmpty, inBody != inRequest {
            throw Status.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
        let namespace = inRequest.isEmpty ? inBody : inRequest
        guard !namespace.isEmpty else {
            throw Status.badRequest("a namespace is required for \(type.qualifiedResource)")
        }
        return namespace
    }

    /// A body may leave out name and namespace (the URL has them) but not contradict them.
    static func checkName(_ object: inout JSONValue, matches key: StorageKey) throws(Status) {
        let name = object.metadataName ?? ""
        if name.isEmpty {
            object[path: "metadata", "name"] = .string(key.name)
        } else if name != key.name {
            throw Status.badRequest(
                "the name of the object (\(name)) does not match the name on the URL (\(key.name))")
        }
        let namespace = object.metadataNamespace ?? ""
        if !key.namespace.isEmpty, !namespace.isEmpty, namespace != key.namespace {
            throw Status.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
    }

    static func prepareForCreate(_ object: inout JSONValue, type: ResourceType, name: String, namespace: String) {
        object["kind"] = .string(type.kind)
        object["apiVersion"] = .string(type.apiVersion)
        var metadata = object["metadata"]?.objectValue ?? [:]
        object["metadata"] = nil
        metadata["name"] = name.isEmpty ? nil : .string(name)
        metadata["namespace"] = namespace.isEmpty ? nil : .string(namespace)
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = .string(timestamp())
        metadata["generation"] = 1
        for serverOwned in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"] {
            metadata[serverOwned] = nil
        }
        object["metadata"] = .object(metadata)
    }

    /// On update the client cannot change identity or history: uid, creation time, generation (the server
    /// bumps it), deletion state. The resourceVersion becomes the stored one, the precondition being checked.
    static func keepServerFields(_ object: inout JSONValue, from old: JSONValue, type: ResourceType) {
        object["kind"] = .string(type.kind)
        object["apiVersion"] = .string(type.apiVersion)
        var metadata = object["metadata"]?.objectValue ?? [:]
        object["metadata"] = nil
        let oldMetadata = old["metadata"]?.objectValue ?? [:]
        for field in [
            "name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion", "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ] {
            metadata[field] = oldMetadata[field]
        }
        metadata["selfLink"] = nil
        object["metadata"] = .object(metadata)
    }

    static func nameCauses(name: String, generateName: String, rule: NameRule) -> [Status.Cause] {
        guard !name.isEmpty else {
            return [
                Status.Cause(
                    reason: "FieldValueRequired", message: "Required value: name or generateName is required",
                    field: "metadata.name")
            ]
        }
        return rule.violations(of: name).map {
            Status.Cause(
                reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \($0)", field: "metadata.name")
        }
    }

    /// RFC 3339 in UTC with whole seconds, as `metav1.Time` is written.
    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current))
    }
}
