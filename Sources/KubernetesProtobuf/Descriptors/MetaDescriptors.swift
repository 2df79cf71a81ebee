/// apimachinery `pkg/apis/meta/v1/generated.proto` (field numbers) and `types.go` (JSON names, omitempty).
extension MessageDescriptor {
    static let ownerReference = MessageDescriptor(
        "OwnerReference",
        [
            .string(5, "apiVersion", .always), .string(1, "kind", .always), .string(3, "name", .always),
            .string(4, "uid", .always), .bool(6, "controller", .always), .bool(7, "blockOwnerDeletion", .always),
        ])

    static let objectMeta = MessageDescriptor(
        "ObjectMeta",
        [
            .string(1, "name"), .string(2, "generateName"), .string(3, "namespace"), .string(4, "selfLink"),
            .string(5, "uid"), .string(6, "resourceVersion"), .int64(7, "generation"),
            .time(8, "creationTimestamp"), .time(9, "deletionTimestamp"),
            .int64(10, "deletionGracePeriodSeconds", .always),
            .map(11, "labels", .string), .map(12, "annotations", .string),
            .repeated(13, "ownerReferences", .message(ownerReference)), .repeated(14, "finalizers", .string),
        ])

    static let labelSelectorRequirement = MessageDescriptor(
        "LabelSelectorRequirement",
        [.string(1, "key", .always), .string(2, "operator", .always), .repeated(3, "values", .string)])

    static let labelSelector = MessageDescriptor(
        "LabelSelector",
        [.map(1, "matchLabels", .string), .repeated(2, "matchExpressions", .message(labelSelectorRequirement))])

    static let condition = MessageDescriptor(
        "Condition",
        [
            .string(1, "type", .always), .string(2, "status", .always), .int64(3, "observedGeneration"),
            .time(4, "lastTransitionTime"), .string(5, "reason", .always), .string(6, "message", .always),
        ])
}
