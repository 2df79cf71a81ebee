import NetworkAddresses

/// Taking and giving back single addresses, keeping every pool that contains them in step.
extension Allocator {
    /// Adds `holder` to `address`. The caller has checked ``Holding/refusal(for:family:)``.
    mutating func take(_ address: IPAddress, by holder: Holder, updatingPools: Bool = true) {
        var holding = holdings.removeValue(forKey: address) ?? Holding()
        let wasFree = holding.isEmpty
        let wasJoinable = holding.isJoinable
        holding.add(holder)
        if updatingPools {
            poolsChanged(address, holding: holding, wasFree: wasFree, wasJoinable: wasJoinable)
        }
        holdings[address] = holding
    }

    /// Removes `service`'s claim on `address`, freeing the address when nobody else holds it.
    mutating func giveBack(_ address: IPAddress, by service: ServiceKey) {
        guard var holding = holdings.removeValue(forKey: address) else { return }
        let wasJoinable = holding.isJoinable
        holding.remove(service)
        poolsChanged(address, holding: holding, wasFree: false, wasJoinable: wasJoinable)
        if !holding.isEmpty {
            holdings[address] = holding
        }
    }

    /// Replaces `holder.service`'s claim on `address` (new ports or consent). The caller has checked it.
    mutating func updateClaim(_ address: IPAddress, to holder: Holder) {
        guard var holding = holdings.removeValue(forKey: address) else { return }
        let wasJoinable = holding.isJoinable
        holding.remove(holder.service)
        holding.add(holder)
        poolsChanged(address, holding: holding, wasFree: false, wasJoinable: wasJoinable)
        holdings[address] = holding
    }

    /// Brings the free space, use counts and shared index of every pool containing `address` up to date.
    private mutating func poolsChanged(_ address: IPAddress, holding: Holding, wasFree: Bool, wasJoinable: Bool) {
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
                pools[id].free[family].insert(address.value)
                pools[id].used[family] -= 1
            }
            if shareable {
                pools[id].shared.set(address.value, ports: holding.isJoinable ? holding.ports : nil)
            }
        }
    }
}
