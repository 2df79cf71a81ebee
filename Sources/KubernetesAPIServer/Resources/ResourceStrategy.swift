import KubernetesModels

/// A kind's own rules, applied by the store around its generic ones: defaults, server-owned fields,
/// validation. Strategies are pure: they see objects, never the store.
protocol ResourceStrategy: Sendable {
    var nameRule: NameRule { get }
    /// Resets what a client may not set when creating, e.g. a status that only controllers write.
    func prepareForCreate(_ object: inout JSONValue)
    /// Adjusts a main-resource update; `old` is the stored object.
    func prepareForUpdate(_ object: inout JSONValue, old: JSONValue)
    /// Adjusts a status update, where `object` is the stored object with the new status.
    func prepareForStatusUpdate(_ object: inout JSONValue, old: JSONValue)
    /// kube-apiserver defaults every object it decodes, on create and on update alike.
    func applyDefaults(_ object: inout JSONValue)
    func validate(_ object: JSONValue, old: JSONValue?) -> [Status.Cause]
}

extension ResourceStrategy {
    var nameRule: NameRule { .dns1123Subdomain }
    func prepareForCreate(_ object: inout JSONValue) {}
    func prepareForUpdate(_ object: inout JSONValue, old: JSONValue) {}
    func prepareForStatusUpdate(_ object: inout JSONValue, old: JSONValue) {}
    func applyDefaults(_ object: inout JSONValue) {}
    func validate(_ object: JSONValue, old: JSONValue?) -> [Status.Cause] { [] }
}

/// Kinds the server only stores: ConfigMaps, Leases, EndpointSlices, Events.
struct PlainStrategy: ResourceStrategy {}

enum ResourceStrategies {
    static func strategy(for type: ResourceType) -> any ResourceStrategy {
        switch ResourceKey(type) {
        case ResourceKey(ResourceRegistry.services): ServiceStrategy()
        case ResourceKey(ResourceRegistry.deployments): DeploymentStrategy()
        case ResourceKey(ResourceRegistry.namespaces): NamespaceStrategy()
        default: PlainStrategy()
        }
    }
}
