import Foundation
import KubernetesModels

/// The opaque `continue` value of a paginated list: the resourceVersion the first page was consistent with
/// and the last key returned, so the next page continues the same snapshot after that key.
struct ContinueToken: Sendable, Hashable {
    var resourceVersion: UInt64
    var after: StorageKey

    var encoded: String {
        let value: JSONValue = [
            "v": "meta.k8s.io/v1", "rv": .int(Int64(resourceVersion)),
            "ns": .string(after.namespace), "name": .string(after.name),
        ]
        return value.serialized().base64EncodedString()
    }

    init(resourceVersion: UInt64, after: StorageKey) {
        self.resourceVersion = resourceVersion
        self.after = after
    }

    init(decoding text: String) throws(Status) {
        let invalid = Status.badRequest("continue key is not valid: \(text)")
        guard let data = Data(base64Encoded: text), let value = try? JSONValue(parsing: data),
            let version = value["rv"]?.intValue, version >= 0,
            let namespace = value["ns"]?.stringValue, let name = value["name"]?.stringValue
        else { throw invalid }
        self.init(resourceVersion: UInt64(version), after: StorageKey(namespace: namespace, name: name))
    }
}
