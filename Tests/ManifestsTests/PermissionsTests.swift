import KubernetesModels
import Manifests
import Testing

@Suite("RBAC rule matching")
struct PermissionsTests {
    @Test("a rule allows exactly its verbs, groups and resources")
    func exactMatch() {
        let rule = PolicyRule(apiGroups: [""], resources: ["services/status"], verbs: ["patch"])
        #expect(rule.allows(verb: "patch", apiGroup: "", resource: "services/status"))
        #expect(!rule.allows(verb: "update", apiGroup: "", resource: "services/status"))
        #expect(!rule.allows(verb: "patch", apiGroup: "", resource: "services"))
        #expect(!rule.allows(verb: "patch", apiGroup: "apps", resource: "services/status"))
    }

    @Test("a star matches anything in its field")
    func starMatch() {
        let rule = PolicyRule(apiGroups: ["*"], resources: ["leases"], verbs: ["*"])
        #expect(rule.allows(verb: "delete", apiGroup: "coordination.k8s.io", resource: "leases"))
        #expect(!rule.allows(verb: "delete", apiGroup: "coordination.k8s.io", resource: "configmaps"))
    }

    @Test("the cloud provider reads its ConfigMap and holds its Lease only in their namespace")
    func cloudProviderNamespaced() {
        let grants = Permissions.cloudProvider()
        let cluster = grants.filter { $0.scope == .cluster }.flatMap(\.rules)
        #expect(!cluster.contains { $0.resources.contains("configmaps") || $0.resources.contains("leases") })
        let namespaced = grants.filter { $0.scope == .namespace("kube-system") }.flatMap(\.rules)
        #expect(namespaced.contains { $0.allows(verb: "watch", apiGroup: "", resource: "configmaps") })
        #expect(namespaced.contains { $0.allows(verb: "update", apiGroup: "coordination.k8s.io", resource: "leases") })
    }
}
