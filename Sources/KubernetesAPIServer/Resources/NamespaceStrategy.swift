import KubernetesModels

/// Namespaces are Active from creation (deletion is immediate, so they never show Terminating) and carry
/// the `kubernetes.io/metadata.name` label that kube-apiserver adds for namespace selectors.
struct NamespaceStrategy: ResourceStrategy {
    var nameRule: NameRule { .dns1123Label }

    func prepareForCreate(_ object: inout JSONValue) {
        object["status"] = ["phase": "Active"]
    }

    func prepareForStatusUpdate(_ object: inout JSONValue, old: JSONValue) {
        object[path: "status", "phase"] = old[path: "status", "phase"] ?? "Active"
    }

    func applyDefaults(_ object: inout JSONValue) {
        if let name = object.metadataName {
            object[path: "metadata", "labels", "kubernetes.io/metadata.name"] = .string(name)
        }
        if object[path: "spec", "finalizers"] == nil {
            object[path: "spec", "finalizers"] = ["kubernetes"]
        }
    }
}
