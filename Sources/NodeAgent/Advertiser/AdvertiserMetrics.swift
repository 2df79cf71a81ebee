import Metrics

/// The advertisers' counters, shared by every advertiser of a process and made from an injected factory so
/// that tests (and several agents in one process) each read their own registry.
///
/// None has dimensions: the Prometheus backend refuses one name used both with and without them, and the
/// per-address detail belongs in logs and Events rather than in unbounded label values.
struct AdvertiserMetrics: Sendable {
    /// Gratuitous ARP frames (requests and replies count one each).
    let arpAnnouncementsSent: Counter
    /// Unsolicited neighbour advertisements.
    let ndpAdvertisementsSent: Counter
    /// Conflict episodes: another host answered for an address this node was about to take.
    let addressConflicts: Counter
    /// Addresses put back after someone else removed them from the link.
    let addressReadds: Counter
    /// Frames heard while probing that claimed to be ARP or neighbour discovery but did not decode.
    let framesMalformed: Counter

    init(factory: any MetricsFactory) {
        arpAnnouncementsSent = Counter(label: "kube_vip_arp_announcements_sent_total", factory: factory)
        ndpAdvertisementsSent = Counter(label: "kube_vip_ndp_advertisements_sent_total", factory: factory)
        addressConflicts = Counter(label: "kube_vip_address_conflicts_total", factory: factory)
        addressReadds = Counter(label: "kube_vip_address_readds_total", factory: factory)
        framesMalformed = Counter(label: "kube_vip_frames_malformed_total", factory: factory)
    }
}
