/// k8s.io/api `core/v1/generated.proto` (field numbers) and `types.go` (JSON names, omitempty), for the
/// kinds `kubectl create` sends as protobuf.
extension MessageDescriptor {
    static let configMap = MessageDescriptor(
        "ConfigMap",
        [
            .message(1, "metadata", objectMeta), .map(2, "data", .string), .map(3, "binaryData", .bytes),
            .bool(4, "immutable", .always),
        ])

    static let secret = MessageDescriptor(
        "Secret",
        [
            .message(1, "metadata", objectMeta), .map(2, "data", .bytes), .string(3, "type"),
            .map(4, "stringData", .string), .bool(5, "immutable", .always),
        ])

    static let namespaceCondition = MessageDescriptor(
        "NamespaceCondition",
        [
            .string(1, "type", .always), .string(2, "status", .always), .time(4, "lastTransitionTime"),
            .string(5, "reason"), .string(6, "message"),
        ])

    static let namespace = MessageDescriptor(
        "Namespace",
        [
            .message(1, "metadata", objectMeta),
            .message(2, "spec", MessageDescriptor("NamespaceSpec", [.repeated(1, "finalizers", .string)])),
            .message(
                3, "status",
                MessageDescriptor(
                    "NamespaceStatus",
                    [.string(1, "phase"), .repeated(2, "conditions", .message(namespaceCondition))])),
        ])

    static let servicePort = MessageDescriptor(
        "ServicePort",
        [
            .string(1, "name"), .string(2, "protocol"), .int32(3, "port", .always), .intOrString(4, "targetPort"),
            .int32(5, "nodePort"), .string(6, "appProtocol", .always),
        ])

    static let sessionAffinityConfig = MessageDescriptor(
        "SessionAffinityConfig",
        [.message(1, "clientIP", MessageDescriptor("ClientIPConfig", [.int32(1, "timeoutSeconds", .always)]))])

    static let serviceSpec = MessageDescriptor(
        "ServiceSpec",
        [
            .repeated(1, "ports", .message(servicePort)), .map(2, "selector", .string), .string(3, "clusterIP"),
            .string(4, "type"), .repeated(5, "externalIPs", .string), .string(7, "sessionAffinity"),
            .string(8, "loadBalancerIP"), .repeated(9, "loadBalancerSourceRanges", .string),
            .string(10, "externalName"), .string(11, "externalTrafficPolicy"), .int32(12, "healthCheckNodePort"),
            .bool(13, "publishNotReadyAddresses"), .message(14, "sessionAffinityConfig", sessionAffinityConfig),
            .string(17, "ipFamilyPolicy", .always), .repeated(18, "clusterIPs", .string),
            .repeated(19, "ipFamilies", .string), .bool(20, "allocateLoadBalancerNodePorts", .always),
            .string(21, "loadBalancerClass", .always), .string(22, "internalTrafficPolicy", .always),
            .string(23, "trafficDistribution", .always),
        ])

    static let portStatus = MessageDescriptor(
        "PortStatus", [.int32(1, "port", .always), .string(2, "protocol", .always), .string(3, "error", .always)])

    static let loadBalancerIngress = MessageDescriptor(
        "LoadBalancerIngress",
        [
            .string(1, "ip"), .string(2, "hostname"), .string(3, "ipMode", .always),
            .repeated(4, "ports", .message(portStatus)),
        ])

    static let serviceStatus = MessageDescriptor(
        "ServiceStatus",
        [
            .message(
                1, "loadBalancer",
                MessageDescriptor("LoadBalancerStatus", [.repeated(1, "ingress", .message(loadBalancerIngress))])),
            .repeated(2, "conditions", .message(condition)),
        ])

    static let service = MessageDescriptor(
        "Service",
        [.message(1, "metadata", objectMeta), .message(2, "spec", serviceSpec), .message(3, "status", serviceStatus)])
}
