import NetworkAddresses

/// The addresses of recently released Services, held back for them: a Service deleted and re-created under
/// the same namespace/name (helm reinstall, `kubectl replace --force`, GitOps re-sync) gets its address back,
/// so DNS records and firewall rules pointing at it keep working.
///
/// A held-back address is not offered to new Services while any other address is free; when a pool has
/// nothing else left, its oldest held-back address goes first. Beyond `capacity` releases the oldest is
/// forgotten and its addresses become ordinary free addresses. Every operation is amortised O(1).
struct RecentReleases: Sendable {
    let capacity: Int
    private var entries: [ServiceKey: (addresses: [IPAddress], release: UInt64)] = [:]
    private var order: [(service: ServiceKey, release: UInt64)] = []
    private var head = 0
    private var clock: UInt64 = 0
    /// Free addresses held back, and the release that holds them.
    private(set) var heldBack: [IPAddress: UInt64] = [:]

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { entries.count }

    func addresses(of service: ServiceKey) -> [IPAddress]? {
        entries[service]?.addresses
    }

    /// Whether `address` is held back for `service`.
    func isHeldBack(_ address: IPAddress, for service: ServiceKey) -> Bool {
        guard let release = heldBack[address] else { return false }
        return entries[service]?.release == release
    }

    func isHeldBack(_ address: IPAddress) -> Bool { heldBack[address] != nil }

    /// Starts a release record for `service`; returns its number (also the age order of held-back addresses)
    /// and the addresses that stop being held back because an old record was forgotten to make room.
    mutating func remember(_ service: ServiceKey, _ addresses: [IPAddress]) -> (release: UInt64, expired: [IPAddress]) {
        var expired = forget(service)
        clock += 1
        entries[service] = (addresses, clock)
        order.append((service, clock))
        while entries.count > capacity, head < order.count {
            let oldest = order[head]
            head += 1
            if entries[oldest.service]?.release == oldest.release {
                expired += forget(oldest.service)
            }
        }
        // Forgotten and superseded records leave stale slots behind; drop them once they dominate.
        if head > 16 && head > order.count / 2 {
            order.removeFirst(head)
            head = 0
        }
        return (clock, expired)
    }

    /// Holds `address` back for the release numbered `release`.
    mutating func holdBack(_ address: IPAddress, release: UInt64) {
        heldBack[address] = release
    }

    /// Stops holding `address` back (someone took it).
    mutating func take(_ address: IPAddress) {
        heldBack[address] = nil
    }

    /// Forgets `service`'s record; returns the addresses that were still held back for it.
    @discardableResult
    mutating func forget(_ service: ServiceKey) -> [IPAddress] {
        guard let entry = entries.removeValue(forKey: service) else { return [] }
        var released: [IPAddress] = []
        for address in entry.addresses where heldBack[address] == entry.release {
            heldBack[address] = nil
            released.append(address)
        }
        return released
    }
}
