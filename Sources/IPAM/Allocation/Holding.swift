import NetworkAddresses

/// One Service's claim on an address.
struct Holder: Hashable, Sendable {
    let service: ServiceKey
    /// Sorted packed (protocol, port) keys.
    var ports: [UInt32]
    /// The Service's namespace allows sharing (`allow-share-*`).
    var consents: Bool

    /// Whether others may join this holder on its address.
    var shares: Bool { consents && !ports.isEmpty }
}

/// Everyone holding one address. More than one holder only when all of them share and their ports are
/// disjoint; `ports` caches the union so a join or a search never walks the holders.
struct Holding: Sendable {
    private(set) var holders: [Holder] = []
    /// Sorted union of the holders' ports.
    private(set) var ports: [UInt32] = []
    /// Holders that do not share; while any is present nobody may join.
    private(set) var exclusiveHolders = 0

    var isEmpty: Bool { holders.isEmpty }

    /// Whether a consenting Service with disjoint ports could join.
    var isJoinable: Bool { !holders.isEmpty && exclusiveHolders == 0 }

    mutating func add(_ holder: Holder) {
        holders.append(holder)
        ports = ports.isEmpty ? holder.ports : SortedPorts.union(ports, holder.ports)
        if !holder.shares { exclusiveHolders += 1 }
    }

    /// Removes `service`'s claim, returning it.
    @discardableResult
    mutating func remove(_ service: ServiceKey) -> Holder? {
        guard let index = holders.firstIndex(where: { $0.service == service }) else { return nil }
        let holder = holders.remove(at: index)
        if !holder.shares { exclusiveHolders -= 1 }
        ports = holders.count == 0 ? [] : ports.filter { !SortedPorts.contains(holder.ports, $0) }
        return holder
    }

    func holder(_ service: ServiceKey) -> Holder? {
        holders.first { $0.service == service }
    }

    /// Why `candidate` may not hold this address alongside everyone else (ignoring its own current claim), or
    /// nil when it may. `ignoringConsent` judges only whether the claims can coexist (IPv4, disjoint ports),
    /// for claims made earlier under an `allow-share` setting that has changed since.
    func refusal(for candidate: Holder, family: IPFamily, ignoringConsent: Bool = false) -> SharingRefusal? {
        let own = holders.firstIndex { $0.service == candidate.service }
        guard holders.count - (own == nil ? 0 : 1) > 0 else { return nil }
        if family == .ipv6 { return .ipv6 }
        if candidate.ports.isEmpty { return .noPorts }
        if ignoringConsent {
            if holders.contains(where: { $0.service != candidate.service && $0.ports.isEmpty }) { return .noPorts }
        } else {
            if !candidate.consents { return .requesterMayNotShare }
            let ownIsExclusive = own.map { !holders[$0].shares } ?? false
            if exclusiveHolders - (ownIsExclusive ? 1 : 0) > 0,
                let blocker = holders.first(where: { $0.service != candidate.service && !$0.shares })
            {
                return blocker.consents ? .noPorts : .holderMayNotShare(blocker.service)
            }
        }
        let ownPorts = own.map { holders[$0].ports } ?? []
        let clashes = candidate.ports.filter { SortedPorts.contains(ports, $0) && !SortedPorts.contains(ownPorts, $0) }
        return clashes.isEmpty ? nil : .portsInUse(clashes.map(ServicePort.init(packed:)))
    }

    /// Re-reads every holder's consent, after `allow-share-*` changed.
    mutating func updateConsents(_ consents: (ServiceKey) -> Bool) {
        exclusiveHolders = 0
        for index in holders.indices {
            holders[index].consents = consents(holders[index].service)
            if !holders[index].shares { exclusiveHolders += 1 }
        }
    }
}
