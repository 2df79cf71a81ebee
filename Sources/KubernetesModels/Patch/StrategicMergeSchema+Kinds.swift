/// The `patchStrategy`/`patchMergeKey` tags of the built-in kinds this project serves, taken from
/// k8s.io/api `core/v1/types.go`, `apps/v1/types.go` and apimachinery `meta/v1/types.go`.
extension StrategicMergeSchema {
    static let knownKinds: [String: StrategicMergeSchema] = [
        "Service": objectWithMetadata(
            spec: object(["ports": mergeByKey("port")]),
            status: object(["conditions": mergeByKey("type")])),
        "Pod": objectWithMetadata(spec: podSpec, status: podStatus),
        "PodTemplate": objectWithMetadata(extra: ["template": podTemplate]),
        "Deployment": workload,
        "ReplicaSet": workload,
        "StatefulSet": workload,
        "DaemonSet": workload,
        "ReplicationController": workload,
        "Job": objectWithMetadata(
            spec: object(["template": podTemplate]), status: object(["conditions": mergeByKey("type")])),
        "CronJob": objectWithMetadata(
            spec: object(["jobTemplate": object(["spec": object(["template": podTemplate])])])),
        "Namespace": objectWithMetadata(status: object(["conditions": mergeByKey("type")])),
        "Node": objectWithMetadata(
            spec: object(["podCIDRs": StrategicMergeSchema(listStrategy: .mergeAsSet)]),
            status: object(["conditions": mergeByKey("type"), "addresses": mergeByKey("type")])),
        "ServiceAccount": objectWithMetadata(extra: [
            "secrets": mergeByKey("name"), "imagePullSecrets": mergeByKey("name"),
        ]),
        "PersistentVolumeClaim": objectWithMetadata(status: object(["conditions": mergeByKey("type")])),
    ]

    /// `metadata` as every kind has it: finalizers merge as a set, owner references by uid.
    static let objectMetadata = object([
        "finalizers": StrategicMergeSchema(listStrategy: .mergeAsSet),
        "ownerReferences": mergeByKey("uid"),
    ])

    static func objectWithMetadata(
        spec: StrategicMergeSchema? = nil, status: StrategicMergeSchema? = nil,
        extra: [String: StrategicMergeSchema] = [:]
    ) -> StrategicMergeSchema {
        var fields = extra
        fields["metadata"] = objectMetadata
        fields["spec"] = spec
        fields["status"] = status
        return object(fields)
    }

    /// Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController: a pod template and conditions.
    static let workload = objectWithMetadata(
        spec: object(["template": podTemplate]), status: object(["conditions": mergeByKey("type")]))

    static let podTemplate = object(["metadata": objectMetadata, "spec": podSpec])

    static let container = [
        "ports": mergeByKey("containerPort"),
        "env": mergeByKey("name"),
        "volumeMounts": mergeByKey("mountPath"),
        "volumeDevices": mergeByKey("devicePath"),
    ]

    static let podSpec = object([
        "containers": mergeByKey("name", container),
        "initContainers": mergeByKey("name", container),
        "ephemeralContainers": mergeByKey("name", container),
        "volumes": mergeByKey("name"),
        "imagePullSecrets": mergeByKey("name"),
        "hostAliases": mergeByKey("ip"),
        "topologySpreadConstraints": mergeByKey("topologyKey"),
        "schedulingGates": mergeByKey("name"),
        "resourceClaims": mergeByKey("name"),
    ])

    static let podStatus = object([
        "conditions": mergeByKey("type"),
        "podIPs": mergeByKey("ip"),
        "hostIPs": mergeByKey("ip"),
    ])
}
