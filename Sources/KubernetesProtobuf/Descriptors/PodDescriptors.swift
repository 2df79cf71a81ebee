/// The pod template inside workloads (k8s.io/api `core/v1`): the parts `kubectl create deployment` fills
/// in, plus the common scalars of a container and pod spec. Other fields are skipped.
extension MessageDescriptor {
    static let containerPort = MessageDescriptor(
        "ContainerPort",
        [
            .string(1, "name"), .int32(2, "hostPort"), .int32(3, "containerPort", .always), .string(4, "protocol"),
            .string(5, "hostIP"),
        ])

    static let envVar = MessageDescriptor("EnvVar", [.string(1, "name", .always), .string(2, "value")])

    static let resourceRequirements = MessageDescriptor(
        "ResourceRequirements", [.map(1, "limits", .quantity), .map(2, "requests", .quantity)])

    static let volumeMount = MessageDescriptor(
        "VolumeMount",
        [
            .string(1, "name", .always), .bool(2, "readOnly"), .string(3, "mountPath", .always),
            .string(4, "subPath"), .string(6, "subPathExpr"),
        ])

    static let container = MessageDescriptor(
        "Container",
        [
            .string(1, "name", .always), .string(2, "image"), .repeated(3, "command", .string),
            .repeated(4, "args", .string), .string(5, "workingDir"), .repeated(6, "ports", .message(containerPort)),
            .repeated(7, "env", .message(envVar)), .message(8, "resources", resourceRequirements),
            .repeated(9, "volumeMounts", .message(volumeMount)), .string(13, "terminationMessagePath"),
            .string(14, "imagePullPolicy"), .bool(16, "stdin"), .bool(17, "stdinOnce"), .bool(18, "tty"),
            .string(20, "terminationMessagePolicy"),
        ])

    static let podSpec = MessageDescriptor(
        "PodSpec",
        [
            .repeated(2, "containers", .message(container)), .string(3, "restartPolicy"),
            .int64(4, "terminationGracePeriodSeconds", .always), .int64(5, "activeDeadlineSeconds", .always),
            .string(6, "dnsPolicy"), .map(7, "nodeSelector", .string), .string(8, "serviceAccountName"),
            .string(9, "serviceAccount"), .bool(21, "automountServiceAccountToken", .always),
            .string(10, "nodeName"), .bool(11, "hostNetwork"), .bool(12, "hostPID"), .bool(13, "hostIPC"),
            .repeated(
                15, "imagePullSecrets", .message(MessageDescriptor("LocalObjectReference", [.string(1, "name")]))),
            .string(16, "hostname"), .string(17, "subdomain"), .string(19, "schedulerName"),
            .repeated(20, "initContainers", .message(container)), .string(24, "priorityClassName"),
            .int32(25, "priority", .always), .bool(30, "enableServiceLinks", .always),
        ])

    static let podTemplateSpec = MessageDescriptor(
        "PodTemplateSpec", [.message(1, "metadata", objectMeta), .message(2, "spec", podSpec)])
}
