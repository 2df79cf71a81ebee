import KubernetesModels

/// What each role calls on the API server, and nothing more. The manifests are generated from these, and the
/// tests run the roles against the embedded API server and check every request they make against them (and
/// that every verb here is used), so the manifests cannot drift from the code.
///
/// Upstream grants `*` on ConfigMaps, Events and Leases cluster-wide to the cloud provider; here the
/// ConfigMap and the election Lease are read and written only in their own namespace, through a Role.
public enum Permissions {
    /// `kube-vip cloud-provider`: watches every Service and the one ConfigMap, records its choice with a merge
    /// patch, writes Events about Services anywhere, and (when electing) holds one Lease.
    public static func cloudProvider(
        configMapNamespace: String = "kube-system", leaseNamespace: String = "kube-system", leaderElection: Bool = true,
        writeStatus: Bool = false
    ) -> [Grant] {
        var cluster = [
            PolicyRule(apiGroups: [""], resources: ["services"], verbs: ["list", "watch", "patch"]),
            PolicyRule(apiGroups: [""], resources: ["events"], verbs: ["create", "patch"]),
        ]
        if writeStatus {
            cluster.append(PolicyRule(apiGroups: [""], resources: ["services/status"], verbs: ["patch"]))
        }
        var grants = [Grant(scope: .cluster, rules: cluster)]
        let configMaps = PolicyRule(apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"])
        let leases = PolicyRule(apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"])
        if leaderElection && leaseNamespace == configMapNamespace {
            grants.append(Grant(scope: .namespace(configMapNamespace), rules: [configMaps, leases]))
        } else {
            grants.append(Grant(scope: .namespace(configMapNamespace), rules: [configMaps]))
            if leaderElection { grants.append(Grant(scope: .namespace(leaseNamespace), rules: [leases])) }
        }
        return grants
    }

    /// `kube-vip manager`: watches Services and EndpointSlices (everywhere, or in `svc_namespace`), patches the
    /// status and the `kube-vip.io/vipHost` annotation, writes Events, and takes part in Lease elections: one
    /// Lease in its own namespace (global election), or one per Service in the Service's namespace.
    public static func nodeAgent(
        watchNamespace: String? = nil, leaseNamespace: String = "kube-system", perServiceElection: Bool = true
    ) -> [Grant] {
        let services = [
            PolicyRule(apiGroups: [""], resources: ["services"], verbs: ["list", "watch", "patch"]),
            PolicyRule(apiGroups: [""], resources: ["services/status"], verbs: ["patch"]),
            PolicyRule(apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"]),
            PolicyRule(apiGroups: [""], resources: ["events"], verbs: ["create", "patch"]),
        ]
        let leases = PolicyRule(
            apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update"])
        let serviceScope: PermissionScope = watchNamespace.map { .namespace($0) } ?? .cluster
        let leaseScope: PermissionScope = perServiceElection ? serviceScope : .namespace(leaseNamespace)
        if leaseScope == serviceScope {
            return [Grant(scope: serviceScope, rules: services + [leases])]
        }
        return [Grant(scope: serviceScope, rules: services), Grant(scope: leaseScope, rules: [leases])]
    }
}
