import KubernetesModels

/// RBAC objects for one role's grants: a ClusterRole and ClusterRoleBinding for the cluster-wide rules, a
/// Role and RoleBinding in each namespace a grant is limited to, all bound to one ServiceAccount.
///
/// Built from `Permissions` alone, so that what the manifests grant is exactly what the tests check the
/// code against.
public struct RBACManifest: Sendable {
    public var serviceAccount: String
    /// Where the ServiceAccount lives.
    public var namespace: String
    /// The ClusterRole's and every Role's name.
    public var roleName: String
    /// The ClusterRoleBinding's and every RoleBinding's name.
    public var bindingName: String
    public var grants: [Grant]
    public var labels: [(String, String)]

    public init(
        serviceAccount: String, namespace: String, roleName: String, bindingName: String, grants: [Grant],
        labels: [(String, String)] = []
    ) {
        self.serviceAccount = serviceAccount
        self.namespace = namespace
        self.roleName = roleName
        self.bindingName = bindingName
        self.grants = grants
        self.labels = labels
    }

    /// The ServiceAccount first (the bindings name it), then each grant's role and binding.
    public var objects: [YAMLNode] {
        var objects = [Objects.serviceAccount(name: serviceAccount, namespace: namespace, labels: labels)]
        for grant in merged {
            objects.append(role(grant))
            objects.append(binding(grant))
        }
        return objects
    }

    /// One grant per scope: two grants in one namespace would otherwise make two Roles with the same name.
    var merged: [Grant] {
        var result: [Grant] = []
        for grant in grants {
            if let index = result.firstIndex(where: { $0.scope == grant.scope }) {
                result[index].rules += grant.rules
            } else {
                result.append(grant)
            }
        }
        return result
    }

    private func role(_ grant: Grant) -> YAMLNode {
        let rules = YAMLNode.sequence(grant.rules.map(Self.rule))
        switch grant.scope {
        case .cluster:
            return Objects.object(
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole",
                metadata: Objects.metadata(name: roleName, namespace: nil, labels: labels), rest: [("rules", rules)])
        case .namespace(let namespace):
            return Objects.object(
                apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role",
                metadata: Objects.metadata(name: roleName, namespace: namespace, labels: labels), rest: [("rules", rules)])
        }
    }

    private func binding(_ grant: Grant) -> YAMLNode {
        let kind: String
        let roleKind: String
        let bindingNamespace: String?
        switch grant.scope {
        case .cluster:
            (kind, roleKind, bindingNamespace) = ("ClusterRoleBinding", "ClusterRole", nil)
        case .namespace(let namespace):
            (kind, roleKind, bindingNamespace) = ("RoleBinding", "Role", namespace)
        }
        return Objects.object(
            apiVersion: "rbac.authorization.k8s.io/v1", kind: kind,
            metadata: Objects.metadata(name: bindingName, namespace: bindingNamespace, labels: labels),
            rest: [
                (
                    "roleRef",
                    .fields([
                        "apiGroup": "rbac.authorization.k8s.io", "kind": .string(roleKind), "name": .string(roleName),
                    ])
                ),
                (
                    "subjects",
                    .sequence([
                        .fields([
                            "kind": "ServiceAccount", "name": .string(serviceAccount), "namespace": .string(namespace),
                        ])
                    ])
                ),
            ])
    }

    static func rule(_ rule: PolicyRule) -> YAMLNode {
        .fields([
            "apiGroups": .sequence(rule.apiGroups.map { .string($0) }),
            "resources": .sequence(rule.resources.map { .string($0) }),
            "verbs": .sequence(rule.verbs.map { .string($0) }),
        ])
    }
}
