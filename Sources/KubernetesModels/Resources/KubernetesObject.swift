/// What generic machinery (informers, caches, the client's typed calls) needs from any object: where it lives
/// and which version of it we hold.
///
/// `JSONValue` conforms too, so the same informer can carry raw objects for callers that must write back
/// fields the typed models do not know.
public protocol ObjectMetadataReadable: Sendable {
    var metadataName: String? { get }
    var metadataNamespace: String? { get }
    var metadataResourceVersion: String? { get }
}

extension JSONValue: ObjectMetadataReadable {}

/// A typed Kubernetes object: `apiVersion`, `kind`, `metadata` and whatever the kind adds.
public protocol KubernetesObject: Codable, ObjectMetadataReadable {
    var metadata: ObjectMeta { get set }
}

extension KubernetesObject {
    public var metadataName: String? { metadata.name }
    public var metadataNamespace: String? { metadata.namespace }
    public var metadataResourceVersion: String? { metadata.resourceVersion }
}

/// Namespace and name: the identity of an object within one resource type, used as a cache key.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Empty for cluster-scoped objects.
    public var namespace: String
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = namespace ?? ""
        self.name = name
    }

    public init?(_ object: some ObjectMetadataReadable) {
        guard let name = object.metadataName else { return nil }
        self.init(namespace: object.metadataNamespace, name: name)
    }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
