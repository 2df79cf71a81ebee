import IPAM
import KubernetesModels

/// What the EndpointSlices say about each Service, reduced to the two facts the agent decides on.
///
/// Kept per slice and summed per Service: a Service with more than 100 endpoints has several slices, and
/// upstream, which remembers one slice per family, misjudges exactly those.
struct EndpointIndex: Sendable {
    struct Summary: Sendable, Hashable {
        /// Some endpoint anywhere can serve traffic.
        var serving = false
        /// Some endpoint on this node can serve traffic (what externalTrafficPolicy Local needs).
        var servingHere = false
    }

    private struct SliceKey: Hashable {
        var namespace: String
        var name: String
    }

    private let nodeName: String
    private var slices: [SliceKey: (service: ServiceKey, summary: Summary)] = [:]
    private var slicesByService: [ServiceKey: Set<SliceKey>] = [:]

    init(nodeName: String) {
        self.nodeName = nodeName
    }

    static let serviceNameLabel = "kubernetes.io/service-name"

    /// Records a slice (added or changed); returns the Service whose summary may have changed.
    @discardableResult
    mutating func update(_ slice: EndpointSlice) -> ServiceKey? {
        let key = SliceKey(namespace: slice.metadata.namespace ?? "default", name: slice.metadata.name ?? "")
        let previous = remove(key)
        guard let serviceName = slice.metadata.labels?[Self.serviceNameLabel] else { return previous }
        let service = ServiceKey(namespace: key.namespace, name: serviceName)
        var summary = Summary()
        for endpoint in slice.endpoints ?? [] where !endpoint.addresses.isEmpty && Self.isServing(endpoint) {
            summary.serving = true
            if (endpoint.nodeName ?? endpoint.hostname) == nodeName { summary.servingHere = true }
        }
        slices[key] = (service, summary)
        slicesByService[service, default: []].insert(key)
        return service
    }

    /// Forgets a deleted slice; returns the Service it belonged to.
    @discardableResult
    mutating func delete(_ slice: EndpointSlice) -> ServiceKey? {
        remove(SliceKey(namespace: slice.metadata.namespace ?? "default", name: slice.metadata.name ?? ""))
    }

    func summary(for service: ServiceKey) -> Summary {
        var total = Summary()
        for key in slicesByService[service] ?? [] {
            guard let summary = slices[key]?.summary else { continue }
            total.serving = total.serving || summary.serving
            total.servingHere = total.servingHere || summary.servingHere
        }
        return total
    }

    private mutating func remove(_ key: SliceKey) -> ServiceKey? {
        guard let (service, _) = slices.removeValue(forKey: key) else { return nil }
        slicesByService[service]?.remove(key)
        if slicesByService[service]?.isEmpty == true { slicesByService[service] = nil }
        return service
    }

    /// `serving` (which stays true for a terminating endpoint still able to answer), falling back to
    /// `ready`; an endpoint without conditions is ready, as the API defines.
    static func isServing(_ endpoint: Endpoint) -> Bool {
        endpoint.conditions?.serving ?? endpoint.conditions?.ready ?? true
    }
}
