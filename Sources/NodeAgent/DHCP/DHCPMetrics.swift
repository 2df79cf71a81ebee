import Metrics

/// DHCP mode's counters, shared by every lease keeper of a process. Labels are small fixed sets (message types,
/// client states, drop reasons, lease events), never addresses or names.
struct DHCPMetrics: Sendable {
    private let factory: any MetricsFactory

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// `state` is the client's state when it sent the message (selecting, requesting, rebooting, renewing,
    /// rebinding, ...), which tells a renewal from a rebinding from a reboot.
    func sent(_ type: String, state: String) {
        Counter(label: "kube_vip_dhcp_messages_sent_total", dimensions: [("type", type), ("state", state)], factory: factory)
            .increment()
    }

    func received(_ type: String) {
        Counter(label: "kube_vip_dhcp_messages_received_total", dimensions: [("type", type)], factory: factory).increment()
    }

    /// Frames on the macvlan that were DHCP client traffic but malformed, or well formed and not for this
    /// client (another transaction, another client, unexpected in the state).
    func dropped(_ reason: String) {
        Counter(label: "kube_vip_dhcp_messages_dropped_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// bound, renewed, changed, lost, declined, nak.
    func leaseEvent(_ event: String) {
        Counter(label: "kube_vip_dhcp_lease_events_total", dimensions: [("event", event)], factory: factory).increment()
    }
}
