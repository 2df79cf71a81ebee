/// Where a kind of resource lives in the API: enough to build every URL for it.
public struct ResourceDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// Empty for the core group (`/api/v1`).
    public var group: String
    public var version: String
    /// Plural, lower case: `services`.
    public var plural: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.namespaced = namespaced
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public static let services = ResourceDescriptor(group: "", version: "v1", plural: "services", namespaced: true)
    public static let configMaps = ResourceDescriptor(group: "", version: "v1", plural: "configmaps", namespaced: true)
    public static let namespaces = ResourceDescriptor(group: "", version: "v1", plural: "namespaces", namespaced: false)
    public static let events = ResourceDescriptor(group: "", version: "v1", plural: "events", namespaced: true)
    public static let leases = ResourceDescriptor(
        group: "coordination.k8s.io", version: "v1", plural: "leases", namespaced: true)
    public static let endpointSlices = ResourceDescriptor(
        group: "discovery.k8s.io", version: "v1", plural: "endpointslices", namespaced: true)

    /// The URL path for the collection (no `name`) or one object, optionally a subresource of it.
    /// A `nil` namespace on a namespaced resource addresses all namespaces (lists and watches only).
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace, !namespace.isEmpty {
            path += "/namespaces/\(namespace)"
        }
        path += "/\(plural)"
        if let name {
            path += "/\(name)"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }
}
