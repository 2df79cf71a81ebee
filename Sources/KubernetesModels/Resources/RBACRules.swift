/// One RBAC rule as Kubernetes spells it (`rbac.authorization.k8s.io/v1` PolicyRule, without resourceNames and
/// nonResourceURLs, which no role needs). A subresource is written `services/status`.
public struct PolicyRule: Sendable, Hashable, Codable {
    public var apiGroups: [String]
    public var resources: [String]
    public var verbs: [String]

    public init(apiGroups: [String], resources: [String], verbs: [String]) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
    }

    /// Whether this rule lets a request through, by Kubernetes' own matching: exact strings or `*`.
    public func allows(verb: String, apiGroup: String, resource: String) -> Bool {
        verbs.contains { $0 == "*" || $0 == verb }
            && apiGroups.contains { $0 == "*" || $0 == apiGroup }
            && resources.contains { $0 == "*" || $0 == resource }
    }
}

/// Where a set of rules applies: everywhere (a ClusterRole and its binding) or in one namespace (a Role).
public enum PermissionScope: Sendable, Hashable {
    case cluster
    case namespace(String)
}

/// Rules and the scope they are granted in.
public struct Grant: Sendable, Hashable {
    public var scope: PermissionScope
    public var rules: [PolicyRule]

    public init(scope: PermissionScope, rules: [PolicyRule]) {
        self.scope = scope
        self.rules = rules
    }
}
