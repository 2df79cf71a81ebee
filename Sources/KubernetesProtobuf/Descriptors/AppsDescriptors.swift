/// k8s.io/api `apps/v1/generated.proto` (field numbers) and `types.go` (JSON names, omitempty).
extension MessageDescriptor {
    static let deploymentStrategy = MessageDescriptor(
        "DeploymentStrategy",
        [
            .string(1, "type"),
            .message(
                2, "rollingUpdate",
                MessageDescriptor(
                    "RollingUpdateDeployment", [.intOrString(1, "maxUnavailable"), .intOrString(2, "maxSurge")])),
        ])

    static let deploymentSpec = MessageDescriptor(
        "DeploymentSpec",
        [
            .int32(1, "replicas", .always), .message(2, "selector", labelSelector),
            .message(3, "template", podTemplateSpec), .message(4, "strategy", deploymentStrategy),
            .int32(5, "minReadySeconds"), .int32(6, "revisionHistoryLimit", .always), .bool(7, "paused"),
            .int32(9, "progressDeadlineSeconds", .always),
        ])

    static let deploymentCondition = MessageDescriptor(
        "DeploymentCondition",
        [
            .string(1, "type", .always), .string(2, "status", .always), .string(4, "reason"), .string(5, "message"),
            .time(6, "lastUpdateTime"), .time(7, "lastTransitionTime"),
        ])

    static let deploymentStatus = MessageDescriptor(
        "DeploymentStatus",
        [
            .int64(1, "observedGeneration"), .int32(2, "replicas"), .int32(3, "updatedReplicas"),
            .int32(4, "availableReplicas"), .int32(5, "unavailableReplicas"),
            .repeated(6, "conditions", .message(deploymentCondition)), .int32(7, "readyReplicas"),
            .int32(8, "collisionCount", .always), .int32(9, "terminatingReplicas", .always),
        ])

    static let deployment = MessageDescriptor(
        "Deployment",
        [
            .message(1, "metadata", objectMeta), .message(2, "spec", deploymentSpec),
            .message(3, "status", deploymentStatus),
        ])
}
