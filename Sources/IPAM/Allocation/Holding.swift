import NetworkAddresses

/// One Service's claim on an address.
struct Holder: Hashable, Sendable {
    let service: ServiceKey
    /// Sorted, duplicate-free.
    var ports: [ServicePort]
    /// The Service's namespace allows sharing (`allow-share-*`).
    var consents: Bool

    /// Whether others may join this holder on its address.
    var shares: Bool { consents && !ports.isEmpty }
}

/// Everyone holding one address. More than one holder only when all of them share and their ports are
/// disjoint; `ports` caches the union so a join or a search never walks the holders.
struct Holding: Sendable {
    /// The first holder is stored inline: nearly every address has exactly one, and an array per address
    /// would cost an allocation on every take.
    private var first: Holder?
    private var rest: [Holder] = []
    /// Sorted union of the holders' ports.
    private(set) var ports: [ServicePort] = []
    /// Holders that do not share; while any is present nobody may join.
    private(set) var exclusiveHolders = 0
    /// Kept apart from `first` so the hot checks below never inspect the optional.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Holders in the order they joined; allocates, so not for hot paths.
    var holders: [Holder] { first.map { [$0] + rest } ?? [] }

    /// Whether a consenting Service with disjoint ports could join.
    var isJoinable: Bool { count > 0 && exclusiveHolders == 0 }

    mutating func add(_ holder: Holder) {
        if count == 0 {
            first = holder
        } else {
            rest.append(holder)
        }
        count += 1
        ports = ports.isEmpty ? holder.ports : SortedPorts.union(ports, holder.ports)
        if !holder.shares { exclusiveHolders += 1 }
    }

    /// Removes `service`'s claim, returning it.
    @discardableResult
    mutating func remove(_ service: ServiceKey) -> Holder? {
        let holder: Holder
        if let current = first, current.service == service {
            holder = current
            first = rest.isEmpty ? nil : rest.removeFirst()
        } else if let index = rest.firstIndex(where: { $0.service == service }) {
            holder = rest.remove(at: index)
        } else {
            return nil
        }
        count -= 1
        if !holder.shares { exclusiveHolders -= 1 }
        ports = count == 0 ? [] : ports.filter { !SortedPorts.contains(holder.ports, $0) }
        return holder
    }

    func holder(_ service: ServiceKey) -> Holder? {
        if let first, first.service == service { return first }
        return rest.first { $0.service == service }
    }

    private func firstHolder(where predicate: (Holder) -> Bool) -> Holder? {
        if let first, predicate(first) { return first }
        return rest.first(where: predicate)
    }

    /// Why `candidate` may not hold this address alongside everyone else (ignoring its own current claim), or
    /// nil when it may. `ignoringConsent` judges only whether the claims can coexist (IPv4, disjoint ports),
    /// for claims made earlier under an `allow-share` setting that has changed since.
    func refusal(for candidate: Holder, family: IPFamily, ignoringConsent: Bool = false) -> SharingRefusal? {
        let own = holder(candidate.service)
        guard count - (own == nil ? 0 : 1) > 0 else { return nil }
        if family == .ipv6 { return .ipv6 }
        if candidate.ports.isEmpty { return .noPorts }
        if ignoringConsent {
            if firstHolder(where: { $0.service != candidate.service && $0.ports.isEmpty }) != nil { return .noPorts }
        } else {
            if !candidate.consents { return .requesterMayNotShare }
            let ownIsExclusive = own.map { !$0.shares } ?? false
            if exclusiveHolders - (ownIsExclusive ? 1 : 0) > 0,
                let blocker = firstHolder(where: { $0.service != candidate.service && !$0.shares })
            {
                return blocker.consents ? .noPorts : .holderMayNotShare(blocker.service)
            }
        }
        let ownPorts = own?.ports ?? []
        let clashes = candidate.ports.filter { SortedPorts.contains(ports, $0) && !SortedPorts.contains(ownPorts, $0) }
        return clashes.isEmpty ? nil : .portsInUse(clashes)
    }

    /// Re-reads every holder's consent, after `allow-share-*` changed.
    mutating func updateConsents(_ consents: (ServiceKey) -> Bool) {
        exclusiveHolders = 0
        if let holder = first {
            first?.consents = consents(holder.service)
            if first?.shares == false { exclusiveHolders += 1 }
        }
        for index in rest.indices {
            rest[index].consents = consents(rest[index].service)
            if !rest[index].shares { exclusiveHolders += 1 }
        }
    }
}
