import KubernetesModels
import Manifests
import Testing

/// The grants a manifest's Roles and ClusterRoles spell out, read back from the YAML.
private func grants(in parsed: ParsedManifest) throws -> [Grant] {
    var grants: [Grant] = []
    for object in parsed.objects {
        let kind = object["kind"] as? String
        guard kind == "ClusterRole" || kind == "Role" else { continue }
        let scope: PermissionScope =
            kind == "ClusterRole" ? .cluster : .namespace(try #require(value(object, "metadata", "namespace") as? String))
        let rules = try #require(object["rules"] as? [[String: Any]]).map { rule in
            PolicyRule(
                apiGroups: rule["apiGroups"] as? [String] ?? [], resources: rule["resources"] as? [String] ?? [],
                verbs: rule["verbs"] as? [String] ?? [])
        }
        grants.append(Grant(scope: scope, rules: rules))
    }
    return grants
}

/// Every binding's role reference and subjects, by kind.
private func bindings(in parsed: ParsedManifest) -> [(kind: String, namespace: String?, role: String?, subject: String?)] {
    parsed.objects.filter { ($0["kind"] as? String)?.hasSuffix("Binding") == true }.map { object in
        let subjects = object["subjects"] as? [[String: Any]] ?? []
        return (
            object["kind"] as? String ?? "", value(object, "metadata", "namespace") as? String,
            value(object, "roleRef", "name") as? String, subjects.first?["name"] as? String
        )
    }
}

@Suite("RBAC manifests from Permissions")
struct RBACManifestTests {
    @Test("with a Lease per Service the node agent's rules are one ClusterRole, exactly Permissions.nodeAgent")
    func nodeAgentPerServiceElection() throws {
        let parsed = try ParsedManifest(manifest("rbac", "--servicesElection"))
        #expect(try grants(in: parsed) == Permissions.nodeAgent(perServiceElection: true))
        let role = try parsed.only(kind: "ClusterRole")
        #expect(value(role, "metadata", "name") as? String == "system:kube-vip-role")
    }

    @Test("with the global Lease its rules are limited to the Lease's namespace by a Role")
    func nodeAgentGlobalElection() throws {
        let parsed = try ParsedManifest(manifest("rbac"))
        let expected = Permissions.nodeAgent(leaseNamespace: "kube-system", perServiceElection: false)
        #expect(try grants(in: parsed) == expected)
        #expect(expected.contains { $0.scope == .namespace("kube-system") })
        let role = try parsed.only(kind: "Role")
        #expect(value(role, "metadata", "name") as? String == "system:kube-vip-role")
    }

    @Test("a Lease named namespace/name is granted in that namespace")
    func leaseInOtherNamespace() throws {
        let parsed = try ParsedManifest(manifest("rbac", "--servicesLeaseName", "vip-leases/lock"))
        #expect(try grants(in: parsed).contains { $0.scope == .namespace("vip-leases") })
    }

    @Test("the ServiceAccount kube-vip is what every binding binds")
    func nodeAgentBindings() throws {
        let parsed = try ParsedManifest(manifest("rbac", "--namespace", "vip"))
        let account = try parsed.only(kind: "ServiceAccount")
        #expect(value(account, "metadata", "name") as? String == "kube-vip")
        #expect(value(account, "metadata", "namespace") as? String == "vip")
        let all = bindings(in: parsed)
        #expect(Set(all.map(\.kind)) == ["ClusterRoleBinding", "RoleBinding"])
        #expect(all.allSatisfy { $0.role == "system:kube-vip-role" && $0.subject == "kube-vip" })
        let objects = parsed.objects.filter { ($0["kind"] as? String)?.hasSuffix("Binding") == true }
        #expect(objects.allSatisfy { value($0, "metadata", "name") as? String == "system:kube-vip-binding" })
    }

    @Test("the cloud provider's rules are exactly Permissions.cloudProvider, the ConfigMap and Lease namespaced")
    func cloudProvider() throws {
        let parsed = try ParsedManifest(manifest("cloud-provider"))
        #expect(try grants(in: parsed) == Permissions.cloudProvider())
        #expect(value(try parsed.only(kind: "ClusterRole"), "metadata", "name") as? String == "system:kube-vip-cloud-controller-role")
        #expect(value(try parsed.only(kind: "Role"), "metadata", "namespace") as? String == "kube-system")
        #expect(bindings(in: parsed).allSatisfy {
            $0.role == "system:kube-vip-cloud-controller-role" && $0.subject == "kube-vip-cloud-controller"
        })
    }

    @Test("a ConfigMap in another namespace gets its own Role there, apart from the Lease's")
    func cloudProviderConfigMapNamespace() throws {
        let parsed = try ParsedManifest(manifest("cloud-provider", "--configMapNamespace", "pools"))
        #expect(
            try grants(in: parsed)
                == Permissions.cloudProvider(configMapNamespace: "pools", leaseNamespace: "kube-system"))
        #expect(Set(parsed.objects(kind: "Role").compactMap { value($0, "metadata", "namespace") as? String }) == ["pools", "kube-system"])
    }

    @Test("--writeStatus adds services/status to the cloud provider's rules")
    func cloudProviderWriteStatus() throws {
        let parsed = try ParsedManifest(manifest("cloud-provider", "--writeStatus"))
        #expect(try grants(in: parsed) == Permissions.cloudProvider(writeStatus: true))
        #expect(try grants(in: parsed).flatMap(\.rules).contains { $0.allows(verb: "patch", apiGroup: "", resource: "services/status") })
    }
}
