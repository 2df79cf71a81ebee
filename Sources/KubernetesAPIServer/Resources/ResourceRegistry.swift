/// The kinds the embedded server serves.
///
/// Only what kube-vip and its users touch: the Services it balances, the ConfigMap holding its pools, Leases
/// for leader election, Events it records, EndpointSlices it reads, and Deployments so that
/// `kubectl expose deployment` works as in the README.
public enum ResourceRegistry {
    public static let namespaces = ResourceType(
        group: "", version: "v1", resource: "namespaces", singular: "namespace", kind: "Namespace",
        namespaced: false, shortNames: ["ns"],
        verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], subresources: ["status"])
    public static let services = ResourceType(
        group: "", version: "v1", resource: "services", singular: "service", kind: "Service",
        namespaced: true, shortNames: ["svc"],
        verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        subresources: ["status"])
    public static let configMaps = ResourceType(
        group: "", version: "v1", resource: "configmaps", singular: "configmap", kind: "ConfigMap",
        namespaced: true, shortNames: ["cm"])
    public static let events = ResourceType(
        group: "", version: "v1", resource: "events", singular: "event", kind: "Event",
        namespaced: true, shortNames: ["ev"])
    public static let endpointSlices = ResourceType(
        group: "discovery.k8s.io", version: "v1", resource: "endpointslices", singular: "endpointslice",
        kind: "EndpointSlice", namespaced: true)
    public static let leases = ResourceType(
        group: "coordination.k8s.io", version: "v1", resource: "leases", singular: "lease", kind: "Lease",
        namespaced: true)
    public static let eventsV1 = ResourceType(
        group: "events.k8s.io", version: "v1", resource: "events", singular: "event", kind: "Event",
        namespaced: true, shortNames: ["ev"])
    public static let deployments = ResourceType(
        group: "apps", version: "v1", resource: "deployments", singular: "deployment", kind: "Deployment",
        namespaced: true, shortNames: ["deploy"], subresources: ["status"])

    public static let all: [ResourceType] = [
        namespaces, services, configMaps, events, endpointSlices, leases, eventsV1, deployments,
    ]

    public static func find(group: String, version: String, resource: String) -> ResourceType? {
        all.first { $0.group == group && $0.version == version && $0.resource == resource }
    }
}
