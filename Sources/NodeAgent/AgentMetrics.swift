import KubeVipConventions
import Metrics

/// The agent's own metrics (the advertisers count frames in `AdvertiserMetrics`). Upstream's names where
/// upstream has the metric, so existing dashboards keep working.
struct AgentMetrics: Sendable {
    private let factory: any MetricsFactory
    private let node: String
    let addressesHeld: Gauge
    let servicesServed: Gauge
    /// DHCP leases this node holds and serves.
    let dhcpLeases: Gauge
    /// Service ports this node keeps mapped on a UPnP gateway.
    let upnpMappings: Gauge

    init(factory: any MetricsFactory, node: String) {
        self.factory = factory
        self.node = node
        addressesHeld = Gauge(label: "kube_vip_addresses_held", dimensions: [], factory: factory)
        servicesServed = Gauge(label: "kube_vip_active_services", dimensions: [], factory: factory)
        dhcpLeases = Gauge(label: "kube_vip_dhcp_leases", dimensions: [], factory: factory)
        upnpMappings = Gauge(label: "kube_vip_upnp_mappings", dimensions: [], factory: factory)
    }

    func leadership(_ lease: LeaseName, leading: Bool) {
        Gauge(label: "kube_vip_is_leader", dimensions: [("node", node), ("lease_name", lease.description)], factory: factory)
            .record(leading ? 1 : 0)
    }

    func transition(_ lease: LeaseName) {
        Counter(label: "kube_vip_leader_election_transitions_total", dimensions: [("lease_name", lease.description)], factory: factory)
            .increment()
    }
}
