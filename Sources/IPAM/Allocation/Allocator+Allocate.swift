import NetworkAddresses

extension Allocator {
    /// Gives the Service the addresses its request calls for, or says why not and changes nothing.
    ///
    /// For a Service that already holds addresses the call is a reconcile: addresses that still fit the request
    /// stay (they never move because pools changed or others were released), families the request no longer
    /// wants are released, and missing families are added (a PreferDualStack Service whose second family was
    /// exhausted gets it later).
    ///
    /// For a new Service: its previous address if it was released recently and is still free, else (when its
    /// namespace allows sharing) the lowest address it can share, else the lowest free address of its pool
    /// (highest with `search-order: desc`).
    public mutating func allocate(_ request: AddressRequest) -> Result<Assignment, AllocationFailure> {
        if !request.requestedAddresses.isEmpty {
            return claimRequested(request)
        }
        let service = request.service
        let policy = policy(for: service)
        let current = assignments[service]
        guard let poolID = policy.poolID else {
            if let current {
                return .success(current)  // keep what it has; nothing to add from
            }
            return .failure(.noPool(namespace: service.namespace))
        }
        let holder = Holder(service: service, ports: Self.canonical(request.ports), consents: policy.consents)
        if pools[poolID].definition.isDHCP {
            return allocateDHCP(request, current: current, holder: holder)
        }

        let plan = FamilyPlan(request, pools[poolID].definition)
        let previous = current == nil && recent.count > 0 && !request.freshAddress ? recent.addresses(of: service) : nil
        var chosen: [IPAddress] = []
        chosen.reserveCapacity(plan.second == nil ? 1 : 2)
        var keptMask = 0  // bit i: chosen[i] is an address the Service already holds
        var freeMask = 0  // bit i: chosen[i] came from the free space, so it is not held back
        var failures: [AllocationFailure] = []
        var next: IPFamily? = plan.first
        while let family = next {
            next = family == plan.first ? plan.second : nil
            if let address = current?.addresses.first(where: { $0.family == family && !$0.isUnspecified }) {
                if let refusal = holdings[address]?.refusal(for: holder, family: family) {
                    return .failure(.addressInUse(address, holders: otherHolders(address, service), refusal))
                }
                keptMask |= 1 << chosen.count
                chosen.append(address)
            } else if !pools[poolID].definition.hasAddresses(family) {
                failures.append(.noPoolForFamily(pools[poolID].definition.scope, family))
            } else if let (address, isFree) = candidate(poolID, family, holder, previous) {
                if isFree { freeMask |= 1 << chosen.count }
                chosen.append(address)
            } else {
                failures.append(.exhausted(pools[poolID].definition.scope, family))
            }
        }
        if plan.requiresAll, let failure = failures.first {
            return .failure(failure)
        }
        if chosen.isEmpty {
            return .failure(failures.count == 1 ? failures[0] : .noFamilyAvailable(failures))
        }

        for address in current?.addresses ?? [] where !chosen.contains(address) {
            giveBack(address, by: service)
        }
        for (index, address) in chosen.enumerated() {
            if keptMask & (1 << index) != 0 {
                updateClaim(address, to: holder)
            } else {
                take(address, by: holder, mayBeHeldBack: freeMask & (1 << index) == 0)
            }
        }
        if previous != nil || request.freshAddress {
            // Chosen while the released addresses were still held back, so they were not chosen again.
            forgetPrevious(of: service)
        }
        let assignment = Assignment(service: service, addresses: chosen, origin: .pool, ports: request.ports)
        assignments[service] = assignment
        return .success(assignment)
    }

    /// The scope's pool is the DHCP sentinel: `0.0.0.0` for new Services; one that still holds real addresses
    /// (its namespace switched to DHCP) keeps them.
    private mutating func allocateDHCP(
        _ request: AddressRequest, current: Assignment?, holder: Holder
    ) -> Result<Assignment, AllocationFailure> {
        if let current, current.addresses.contains(where: { !$0.isUnspecified }) {
            return updatePorts(current, holder: holder, request: request)
        }
        let assignment = Assignment(
            service: request.service, addresses: [IPAddress(ipv4: 0)], origin: .dhcp, ports: request.ports)
        assignments[request.service] = assignment
        forgetPrevious(of: request.service)
        return .success(assignment)
    }

    /// Gives up every address of the Service, and remembers them in case it comes back.
    @discardableResult
    public mutating func release(_ service: ServiceKey) -> Assignment? {
        guard let assignment = assignments.removeValue(forKey: service) else { return nil }
        let held = assignment.addresses.filter { !$0.isUnspecified }
        guard assignment.origin == .pool, recent.capacity > 0, !held.isEmpty else {
            for address in held {
                giveBack(address, by: service)
            }
            return assignment
        }
        let (release, expired) = recent.remember(service, held)
        for address in held {
            giveBack(address, by: service, holdBackFor: release)
        }
        for address in expired {
            endHoldBack(address)
        }
        return assignment
    }

    // MARK: Requested addresses

    private mutating func claimRequested(_ request: AddressRequest) -> Result<Assignment, AllocationFailure> {
        var wanted: [IPAddress] = []
        for address in request.requestedAddresses where !wanted.contains(address) {
            wanted.append(address)
        }
        let holder = Holder(
            service: request.service, ports: Self.canonical(request.ports), consents: policy(for: request.service).consents)
        for address in wanted where !address.isUnspecified {
            if let refusal = holdings[address]?.refusal(for: holder, family: address.family) {
                return .failure(.addressInUse(address, holders: otherHolders(address, request.service), refusal))
            }
        }
        let current = assignments[request.service]?.addresses ?? []
        for address in current where !wanted.contains(address) && !address.isUnspecified {
            giveBack(address, by: request.service)
        }
        for address in wanted where !address.isUnspecified {
            if current.contains(address) {
                updateClaim(address, to: holder)
            } else {
                take(address, by: holder)
            }
        }
        forgetPrevious(of: request.service)
        let assignment = Assignment(
            service: request.service, addresses: wanted, origin: .requested, ports: request.ports)
        assignments[request.service] = assignment
        return .success(assignment)
    }

    /// Keeps the addresses and applies new ports, when the co-holders allow them.
    private mutating func updatePorts(
        _ current: Assignment, holder: Holder, request: AddressRequest
    ) -> Result<Assignment, AllocationFailure> {
        let held = current.addresses.filter { !$0.isUnspecified }
        for address in held {
            if let refusal = holdings[address]?.refusal(for: holder, family: address.family) {
                return .failure(.addressInUse(address, holders: otherHolders(address, request.service), refusal))
            }
        }
        for address in held {
            updateClaim(address, to: holder)
        }
        var updated = current
        updated.ports = request.ports
        assignments[request.service] = updated
        return .success(updated)
    }

    // MARK: Choosing

    /// The address a new claim of `family` would get from the pool, without taking it: the Service's own
    /// held-back address, else a joinable shared address, else the lowest free one, else the oldest address
    /// held back for someone else. `isFree` says it came from the free space, which `take` can then trust.
    private mutating func candidate(
        _ poolID: Int, _ family: IPFamily, _ holder: Holder, _ previous: [IPAddress]?
    ) -> (address: IPAddress, isFree: Bool)? {
        if let previous = previous?.first(where: { $0.family == family }),
            pools[poolID].definition.canAllocate(previous), isAvailable(previous, to: holder, poolID)
        {
            return (previous, false)
        }
        let descending = configuration.searchOrder == .descending
        if family == .ipv4, holder.shares,
            let shared = pools[poolID].shared.firstCompatible(with: holder.ports, descending: descending)
        {
            return (IPAddress(ipv4: UInt32(truncatingIfNeeded: shared)), false)
        }
        let value = descending ? pools[poolID].free[family.index].highest : pools[poolID].free[family.index].lowest
        if let value, let address = IPAddress(family: family, value: value) {
            return (address, true)
        }
        return oldestHeldBack(poolID, family).map { ($0, false) }
    }

    /// Whether the Service could hold `address` now: held back for it, joinable, or free.
    private func isAvailable(_ address: IPAddress, to holder: Holder, _ poolID: Int) -> Bool {
        if recent.isHeldBack(address, for: holder.service) { return true }
        if let holding = holdings[address] { return holding.refusal(for: holder, family: address.family) == nil }
        return pools[poolID].free[address.family.index].contains(address.value)
    }

    /// A Service that holds addresses again needs no memory of its release: what is still held back for it
    /// becomes free.
    private mutating func forgetPrevious(of service: ServiceKey) {
        for address in recent.forget(service) {
            endHoldBack(address)
        }
    }

    private func otherHolders(_ address: IPAddress, _ service: ServiceKey) -> [ServiceKey] {
        holders(of: address).filter { $0 != service }
    }

    /// Ports sorted and without duplicates; the request's own array (no copy) when it already is.
    static func canonical(_ ports: [ServicePort]) -> [ServicePort] {
        if zip(ports, ports.dropFirst()).allSatisfy({ $0 < $1 }) { return ports }
        var sorted = ports.sorted()
        var end = sorted.startIndex
        for index in sorted.indices where end == sorted.startIndex || sorted[end - 1] != sorted[index] {
            sorted[end] = sorted[index]
            end += 1
        }
        sorted.removeSubrange(end...)
        return sorted
    }
}

/// Which families a request needs, in the order they go into the annotation.
struct FamilyPlan {
    let first: IPFamily
    let second: IPFamily?
    /// RequireDualStack and single-stack need every family; PreferDualStack needs at least one.
    let requiresAll: Bool

    init(_ request: AddressRequest, _ pool: PoolDefinition) {
        switch request.familyPolicy {
        case .singleStack:
            first =
                request.families.first
                ?? (pool.hasAddresses(.ipv4) || !pool.hasAddresses(.ipv6) ? IPFamily.ipv4 : .ipv6)
            second = nil
            requiresAll = true
        case .preferDualStack, .requireDualStack:
            first = request.families.first ?? .ipv4
            second = first == .ipv4 ? .ipv6 : .ipv4
            requiresAll = request.familyPolicy == .requireDualStack
        }
    }
}

extension IPAddress {
    /// `0.0.0.0` or `::`: kube-vip's "lease this address by DHCP" placeholder, which many Services may hold.
    public var isUnspecified: Bool { value == 0 }
}
