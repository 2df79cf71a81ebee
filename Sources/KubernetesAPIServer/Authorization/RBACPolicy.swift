import KubernetesModels

/// RBAC as kube-apiserver evaluates it, for tests and `kube-vip dev` runs that want a role's requests held to
/// the rules its manifests grant: one set of rules per user, each either cluster-wide (a ClusterRole bound by
/// a ClusterRoleBinding) or confined to one namespace (a Role, or a ClusterRole bound by a RoleBinding).
///
/// Besides deciding, it answers the least-privilege question: which granted permissions did a recorded run
/// never need?
public struct RBACPolicy: Sendable, Hashable {
    /// One PolicyRule and where it is bound.
    public struct Rule: Sendable, Hashable {
        /// nil: everywhere, including cluster-scoped resources and requests across all namespaces.
        public var namespace: String?
        public var policy: PolicyRule

        public init(namespace: String?, _ policy: PolicyRule) {
            self.namespace = namespace
            self.policy = policy
        }

        public init(namespace: String?, apiGroups: [String], resources: [String], verbs: [String]) {
            self.init(namespace: namespace, PolicyRule(apiGroups: apiGroups, resources: resources, verbs: verbs))
        }

        /// Kube-apiserver's matching (`PolicyRule.allows`); a namespaced binding covers only requests in its
        /// namespace (so never a cluster-wide list or watch).
        public func allows(_ request: RequestAttributes) -> Bool {
            guard request.isResourceRequest else { return false }
            if let namespace, request.namespace != namespace { return false }
            return policy.allows(verb: request.verb, apiGroup: request.apiGroup, resource: request.rbacResource)
        }
    }

    /// One (verb, group, resource, scope) a rule grants to a user: the unit of "was this needed?".
    public struct Permission: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var user: String
        public var verb: String
        public var apiGroup: String
        public var resource: String
        public var namespace: String?

        public init(user: String, verb: String, apiGroup: String, resource: String, namespace: String?) {
            self.user = user
            self.verb = verb
            self.apiGroup = apiGroup
            self.resource = resource
            self.namespace = namespace
        }

        /// Whether `request` is one this permission lets through.
        public func covers(_ request: RequestAttributes) -> Bool {
            Rule(namespace: namespace, apiGroups: [apiGroup], resources: [resource], verbs: [verb]).allows(request)
                && request.user == user
        }

        public var description: String {
            let group = apiGroup.isEmpty ? "core" : apiGroup
            return "\(user): \(verb) \(resource) (\(group)) \(namespace.map { "in namespace \($0)" } ?? "cluster-wide")"
        }

        public static func < (lhs: Permission, rhs: Permission) -> Bool {
            (lhs.user, lhs.namespace ?? "", lhs.apiGroup, lhs.resource, lhs.verb)
                < (rhs.user, rhs.namespace ?? "", rhs.apiGroup, rhs.resource, rhs.verb)
        }
    }

    /// The rules bound to each user (the `User-Agent` of its requests).
    public var rules: [String: [Rule]]

    public init(_ rules: [String: [Rule]] = [:]) {
        self.rules = rules
    }

    /// Binds more rules to `user`.
    public mutating func bind(_ user: String, _ more: [Rule]) {
        rules[user, default: []] += more
    }

    /// Binds `grants` as a role's manifests do: cluster grants as a ClusterRole with a ClusterRoleBinding,
    /// namespace grants as a Role with a RoleBinding in that namespace.
    public mutating func bind(_ user: String, grants: [Grant]) {
        for grant in grants {
            let namespace: String? =
                switch grant.scope {
                case .cluster: nil
                case .namespace(let name): name
                }
            bind(user, grant.rules.map { Rule(namespace: namespace, $0) })
        }
    }

    /// RBAC's answer: a resource request is allowed when some rule bound to its user allows it. Non-resource
    /// requests (discovery, `/version`, `/openapi`) are allowed, as the `system:discovery` and
    /// `system:public-info-viewer` ClusterRoles every cluster binds allow them to everyone.
    public func authorizes(_ request: RequestAttributes) -> Bool {
        guard request.isResourceRequest else { return true }
        return (rules[request.user] ?? []).contains { $0.allows(request) }
    }

    /// Every permission granted, one per (user, verb, group, resource, scope).
    public var permissions: [Permission] {
        var all: Set<Permission> = []
        for (user, userRules) in rules {
            for rule in userRules {
                for verb in rule.policy.verbs {
                    for group in rule.policy.apiGroups {
                        for resource in rule.policy.resources {
                            all.insert(
                                Permission(
                                    user: user, verb: verb, apiGroup: group, resource: resource,
                                    namespace: rule.namespace))
                        }
                    }
                }
            }
        }
        return all.sorted()
    }

    /// The permissions no request in `requests` needed, sorted: what a least-privilege role should not hold.
    public func unusedPermissions(by requests: [RequestAttributes]) -> [Permission] {
        permissions.filter { permission in !requests.contains { permission.covers($0) } }
    }
}
