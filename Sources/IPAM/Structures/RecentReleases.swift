import NetworkAddresses

/// The addresses of recently released Services, so that a Service deleted and re-created under the same
/// namespace/name gets its address back when it is still free (DNS records and firewall rules keep working).
///
/// Bounded: beyond `capacity` the oldest release is forgotten. Every operation is amortised O(1).
struct RecentReleases: Sendable {
    let capacity: Int
    private var entries: [ServiceKey: (addresses: [IPAddress], stamp: UInt64)] = [:]
    private var order: [(service: ServiceKey, stamp: UInt64)] = []
    private var head = 0
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { entries.count }

    func addresses(of service: ServiceKey) -> [IPAddress]? {
        entries[service]?.addresses
    }

    mutating func remember(_ service: ServiceKey, _ addresses: [IPAddress]) {
        guard capacity > 0, !addresses.isEmpty else { return }
        clock += 1
        entries[service] = (addresses, clock)
        order.append((service, clock))
        while entries.count > capacity, head < order.count {
            let oldest = order[head]
            head += 1
            if entries[oldest.service]?.stamp == oldest.stamp {
                entries[oldest.service] = nil
            }
        }
        // Forgotten and superseded entries leave stale slots behind; drop them once they dominate.
        if order.count - head > 2 * capacity + 16 || head > order.count / 2 {
            order = order[head...].filter { entries[$0.service]?.stamp == $0.stamp }
            head = 0
        }
    }

    mutating func forget(_ service: ServiceKey) {
        entries[service] = nil
    }
}
