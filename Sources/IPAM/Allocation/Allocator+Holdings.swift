import NetworkAddresses

/// Taking and giving back single addresses, keeping every pool that contains them in step.
extension Allocator {
    /// Adds `holder` to `address`. The caller has checked ``Holding/refusal(for:family:ignoringConsent:)``;
    /// `mayBeHeldBack: false` says the address came from a free space, which never holds held-back ones.
    mutating func take(_ address: IPAddress, by holder: Holder, updatingPools: Bool = true, mayBeHeldBack: Bool = true) {
        let (wasFree, wasJoinable, holding) = modify(&holdings[address, default: Holding()]) { holding in
            let before = (holding.isEmpty, holding.isJoinable)
            holding.add(holder)
            return (before.0, before.1, holding)
        }
        if mayBeHeldBack && wasFree && !recent.heldBack.isEmpty && recent.isHeldBack(address) {
            recent.take(address)
        }
        if updatingPools {
            poolsChanged(address, holding: holding, wasFree: wasFree, wasJoinable: wasJoinable)
        }
    }

    /// Removes `service`'s claim on `address`. When nobody else holds it the address becomes free, or, with
    /// `holdBackFor`, is held back for that release of the Service.
    mutating func giveBack(_ address: IPAddress, by service: ServiceKey, holdBackFor release: UInt64? = nil) {
        guard var holding = holdings.removeValue(forKey: address) else { return }
        let wasJoinable = holding.isJoinable
        holding.remove(service)
        if let release, holding.isEmpty {
            recent.holdBack(address, release: release)
        }
        poolsChanged(address, holding: holding, wasFree: false, wasJoinable: wasJoinable, heldBack: release)
        if !holding.isEmpty {
            holdings[address] = holding
        }
    }

    /// Turns a held-back address into an ordinary free one.
    mutating func endHoldBack(_ address: IPAddress) {
        recent.take(address)
        guard !Allocatability.isSkipped(address.value, address.family) else { return }
        for id in coverage.pools(containing: address) {
            pools[id].free[address.family.index].insert(address.value)
        }
    }

    /// The pool's oldest held-back address of `family`, for when nothing else is free.
    mutating func oldestHeldBack(_ poolID: Int, _ family: IPFamily) -> IPAddress? {
        let f = family.index
        while pools[poolID].heldBackHead[f] < pools[poolID].heldBack[f].count {
            let entry = pools[poolID].heldBack[f][pools[poolID].heldBackHead[f]]
            if let address = IPAddress(family: family, value: entry.value),
                recent.heldBack[address] == entry.release
            {
                return address
            }
            pools[poolID].heldBackHead[f] += 1
        }
        return nil
    }

    /// Replaces `holder.service`'s claim on `address` (new ports or consent). The caller has checked it.
    mutating func updateClaim(_ address: IPAddress, to holder: Holder) {
        guard let existing = holdings[address], existing.holder(holder.service) != holder else { return }
        let (wasJoinable, holding) = modify(&holdings[address, default: Holding()]) { holding in
            let wasJoinable = holding.isJoinable
            holding.remove(holder.service)
            holding.add(holder)
            return (wasJoinable, holding)
        }
        poolsChanged(address, holding: holding, wasFree: false, wasJoinable: wasJoinable)
    }

    /// Brings the free space, use counts and shared index of every pool containing `address` up to date.
    private mutating func poolsChanged(
        _ address: IPAddress, holding: Holding, wasFree: Bool, wasJoinable: Bool, heldBack: UInt64? = nil
    ) {
        let isFree = holding.isEmpty
        guard wasFree != isFree || wasJoinable || holding.isJoinable else { return }
        guard !Allocatability.isSkipped(address.value, address.family) else { return }
        let family = address.family.index
        let shareable = address.family == .ipv4 && (wasJoinable || holding.isJoinable)
        for id in coverage.pools(containing: address) {
            if wasFree && !isFree {
                pools[id].free[family].remove(address.value)
                pools[id].used[family] += 1
            } else if isFree && !wasFree {
                if let heldBack {
                    appendHeldBack(id, family, (address.value, heldBack))
                } else {
                    pools[id].free[family].insert(address.value)
                }
                pools[id].used[family] -= 1
            }
            if shareable {
                pools[id].shared.set(address.value, ports: holding.isJoinable ? holding.ports : nil)
            }
        }
    }

    /// Queues a held-back address, dropping the queue's stale entries once they dominate so that its size
    /// follows the remembered releases, not every release ever made.
    private mutating func appendHeldBack(_ id: Int, _ family: Int, _ entry: (value: UInt128, release: UInt64)) {
        pools[id].heldBack[family].append(entry)
        let queued = pools[id].heldBack[family].count - pools[id].heldBackHead[family]
        guard queued > 2 * recent.capacity + 16 else { return }
        let familyType: IPFamily = family == 0 ? .ipv4 : .ipv6
        let live = pools[id].heldBack[family][pools[id].heldBackHead[family]...].filter { entry in
            IPAddress(family: familyType, value: entry.value).map { recent.heldBack[$0] == entry.release } ?? false
        }
        pools[id].heldBack[family] = live
        pools[id].heldBackHead[family] = 0
    }
}

/// Runs `body` on a value in place, so that a dictionary entry is found once and changed without a copy.
@inline(__always)
func modify<Value, Result>(_ value: inout Value, _ body: (inout Value) -> Result) -> Result {
    body(&value)
}
