import KubernetesModels

/// Deployments are stored, not run: there is no controller, so status stays whatever a status update wrote.
/// Defaults follow apps/v1 so that `kubectl get -o yaml` looks like a real cluster's.
struct DeploymentStrategy: ResourceStrategy {
    func prepareForCreate(_ object: inout JSONValue) {
        object["status"] = [:]
    }

    func applyDefaults(_ object: inout JSONValue) {
        if object[path: "spec", "replicas"] == nil { object[path: "spec", "replicas"] = 1 }
        if object[path: "spec", "revisionHistoryLimit"] == nil { object[path: "spec", "revisionHistoryLimit"] = 10 }
        if object[path: "spec", "progressDeadlineSeconds"] == nil {
            object[path: "spec", "progressDeadlineSeconds"] = 600
        }
        if object[path: "spec", "strategy", "type"] == nil {
            object[path: "spec", "strategy", "type"] = "RollingUpdate"
        }
        if object[path: "spec", "strategy", "type"] == "RollingUpdate" {
            if object[path: "spec", "strategy", "rollingUpdate", "maxUnavailable"] == nil {
                object[path: "spec", "strategy", "rollingUpdate", "maxUnavailable"] = "25%"
            }
            if object[path: "spec", "strategy", "rollingUpdate", "maxSurge"] == nil {
                object[path: "spec", "strategy", "rollingUpdate", "maxSurge"] = "25%"
            }
        }
    }

    func validate(_ object: JSONValue, old: JSONValue?) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        if let replicas = object[path: "spec", "replicas"], (replicas.intValue ?? -1) < 0 {
            causes.append(
                Status.Cause(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \(replicas.serializedText): must be greater than or equal to 0",
                    field: "spec.replicas"))
        }
        guard let selector = object[path: "spec", "selector"], selector != [:] else {
            causes.append(Status.Cause(reason: "FieldValueRequired", message: "Required value", field: "spec.selector"))
            return causes
        }
        let matchLabels = selector["matchLabels"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
        let templateLabels = object[path: "spec", "template"]?.metadataLabels ?? [:]
        if !matchLabels.allSatisfy({ templateLabels[$0.key] == $0.value }) {
            causes.append(
                Status.Cause(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \(templateLabels): `selector` does not match template `labels`",
                    field: "spec.template.metadata.labels"))
        }
        if let old, let oldSelector = old[path: "spec", "selector"], oldSelector != selector {
            causes.append(
                Status.Cause(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \(selector.serializedText): field is immutable",
                    field: "spec.selector"))
        }
        return causes
    }
}
