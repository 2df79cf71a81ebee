import KubernetesModels

/// The objects every cluster has from the start, which clients and kubectl expect to find.
enum Bootstrap {
    static let namespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]
    /// kube-apiserver refuses to delete these.
    static let undeletableNamespaces: Set<String> = ["default", "kube-system", "kube-public"]

    /// The `kubernetes` Service in `default`: on a real cluster it points at the API server.
    static let kubernetesService: JSONValue = [
        "metadata": [
            "name": "kubernetes", "namespace": "default",
            "labels": ["component": "apiserver", "provider": "kubernetes"],
        ],
        "spec": [
            "type": "ClusterIP",
            "clusterIP": .string(IPv4.format(ServiceAllocator.kubernetesServiceIP)),
            "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]],
        ],
    ]
}

extension StoreCore {
    /// Creates whichever bootstrap objects are missing (all of them on a fresh store; after a restart only
    /// those a user deleted, as kube-apiserver re-creates the `kubernetes` Service).
    mutating func createBootstrapObjects() throws(Status) {
        let namespaces = ResourceRegistry.namespaces
        for name in Bootstrap.namespaces where table(namespaces)[StorageKey(namespace: "", name: name)] == nil {
            _ = try create(namespaces, namespace: nil, object: ["metadata": ["name": .string(name)]], dryRun: false)
        }
        let services = ResourceRegistry.services
        if table(services)[StorageKey(namespace: "default", name: "kubernetes")] == nil {
            _ = try create(services, namespace: "default", object: Bootstrap.kubernetesService, dryRun: false)
        }
    }
}
