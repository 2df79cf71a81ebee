/// One kind of resource the server serves.
///
/// The registry of these values is the single source for discovery, routing and storage, so that a kind the
/// server lists in `/api/v1` is always one it can also store, and the other way round.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// `""` for the core group.
    public var group: String
    public var version: String
    /// The plural, lower-case name used in URLs: `services`.
    public var resource: String
    public var singular: String
    public var kind: String
    public var listKind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var verbs: [String]
    /// Subresources served under `…/{name}/{subresource}`, e.g. `["status"]`.
    public var subresources: [String]

    public init(
        group: String, version: String, resource: String, singular: String, kind: String,
        listKind: String? = nil, namespaced: Bool, shortNames: [String] = [],
        verbs: [String] = ResourceType.allVerbs, subresources: [String] = []
    ) {
        self.group = group
        self.version = version
        self.resource = resource
        self.singular = singular
        self.kind = kind
        self.listKind = listKind ?? "\(kind)List"
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.verbs = verbs
        self.subresources = subresources
    }

    /// The verbs every stored kind supports (kube-apiserver lists them sorted).
    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var hasStatusSubresource: Bool { subresources.contains("status") }

    /// `services` or `leases.coordination.k8s.io`: how kube-apiserver names a resource in messages.
    public var qualifiedResource: String { group.isEmpty ? resource : "\(resource).\(group)" }

    public var description: String { "\(apiVersion), Resource=\(resource)" }
}
