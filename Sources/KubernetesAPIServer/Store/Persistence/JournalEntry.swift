import KubernetesModels

/// One line of the journal: an object as stored after a write, or the removal of one.
enum JournalEntry: Sendable {
    case put(resourceVersion: UInt64, type: ResourceKey, object: JSONValue)
    case delete(resourceVersion: UInt64, type: ResourceKey, key: StorageKey)

    var resourceVersion: UInt64 {
        switch self {
        case .put(let version, _, _), .delete(let version, _, _): version
        }
    }

    var json: JSONValue {
        switch self {
        case .put(let version, let type, let object):
            [
                "op": "put", "rv": .string(String(version)), "group": .string(type.group),
                "resource": .string(type.resource), "object": object,
            ]
        case .delete(let version, let type, let key):
            [
                "op": "delete", "rv": .string(String(version)), "group": .string(type.group),
                "resource": .string(type.resource), "namespace": .string(key.namespace), "name": .string(key.name),
            ]
        }
    }

    /// Reads a line's JSON; the error is the reason the line is unusable.
    init(_ json: JSONValue) throws(PersistedFormatError) {
        guard let text = json["rv"]?.stringValue, let version = UInt64(text) else {
            throw PersistedFormatError("missing or invalid \"rv\"")
        }
        let type = try PersistedFormat.resourceKey(json)
        switch json["op"]?.stringValue {
        case "put":
            guard let object = json["object"] else { throw PersistedFormatError("a put without \"object\"") }
            _ = try PersistedFormat.storageKey(of: object, type: type)
            self = .put(resourceVersion: version, type: type, object: object)
        case "delete":
            guard let name = json["name"]?.stringValue, !name.isEmpty else {
                throw PersistedFormatError("a delete without \"name\"")
            }
            let key = StorageKey(namespace: json["namespace"]?.stringValue ?? "", name: name)
            self = .delete(resourceVersion: version, type: type, key: key)
        default:
            throw PersistedFormatError("unknown \"op\" \(json["op"]?.serializedText ?? "null")")
        }
    }
}

struct PersistedFormatError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Rules shared by snapshot and journal lines.
enum PersistedFormat {
    static func resourceKey(_ json: JSONValue) throws(PersistedFormatError) -> ResourceKey {
        guard let resource = json["resource"]?.stringValue else { throw PersistedFormatError("missing \"resource\"") }
        let group = json["group"]?.stringValue ?? ""
        let key = ResourceKey(group: group, resource: resource)
        guard ResourceRegistry.all.contains(where: { ResourceKey($0) == key }) else {
            throw PersistedFormatError(
                "unknown resource \"\(key)\" (written by a newer kube-vip, or edited by hand)")
        }
        return key
    }

    static func type(_ key: ResourceKey) -> ResourceType? {
        ResourceRegistry.all.first { ResourceKey($0) == key }
    }

    static func storageKey(of object: JSONValue, type key: ResourceKey) throws(PersistedFormatError)
        -> StorageKey
    {
        guard let type = type(key), let storageKey = StorageKey(object, type: type), !storageKey.name.isEmpty,
            !type.namespaced || !storageKey.namespace.isEmpty
        else { throw PersistedFormatError("an object without metadata.name (or metadata.namespace)") }
        return storageKey
    }
}
