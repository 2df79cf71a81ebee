import NetworkAddresses

extension Allocator {
    /// Applies an edited ConfigMap. Nobody's address moves: the pools are rebuilt around what is held, and the
    /// allocator-chosen addresses that no longer lie in their Service's pool are returned for reporting.
    public mutating func reconfigure(_ configuration: PoolConfiguration) -> [PoolDrift] {
        self.configuration = configuration
        for address in Array(holdings.keys) {
            holdings[address]?.updateConsents { configuration.allowsSharing(namespace: $0.namespace) }
        }
        rebuildPools()
        return drift()
    }

    /// Allocator-chosen addresses outside the pool their Service draws from now.
    public func drift() -> [PoolDrift] {
        var result: [PoolDrift] = []
        for assignment in assignments.values where assignment.origin == .pool {
            let scope = configuration.scope(forNamespace: assignment.service.namespace)
            for address in assignment.addresses where !address.isUnspecified {
                if let scope, let definition = configuration.pools[scope], definition.contains(address) {
                    continue
                }
                result.append(PoolDrift(service: assignment.service, address: address, scope: scope))
            }
        }
        return result.sorted { ($0.service, $0.address) < ($1.service, $1.address) }
    }

    /// Rebuilds an allocator from the allocations found on existing Services, as a restarted controller must
    /// before its first new allocation. Claims are replayed oldest first, so when two Services claim one
    /// address and cannot coexist on it, the older keeps it and the younger is reported (and keeps its other
    /// addresses; with none left it is not restored and will be allocated afresh).
    ///
    /// Coexisting means IPv4 with disjoint ports, whatever `allow-share-*` says now: a running allocator keeps
    /// sharers when sharing is switched off, so a restarted one must too.
    public static func restore(
        configuration: PoolConfiguration,
        from records: [ExistingAssignment],
        recentReleaseCapacity: Int = 4096
    ) -> (allocator: Allocator, conflicts: [RestoreConflict]) {
        var allocator = Allocator(configuration: configuration, recentReleaseCapacity: recentReleaseCapacity)
        var conflicts: [RestoreConflict] = []
        allocator.assignments.reserveCapacity(records.count)
        allocator.holdings.reserveCapacity(records.count)
        let ordered = records.sorted { ($0.created, $0.service) < ($1.created, $1.service) }
        for record in ordered where allocator.assignments[record.service] == nil {
            let holder = Holder(
                service: record.service, ports: Self.canonical(record.ports),
                consents: configuration.allowsSharing(namespace: record.service.namespace))
            var kept: [IPAddress] = []
            for address in record.addresses where !kept.contains(address) {
                if let refusal = allocator.holdings[address]?.refusal(
                    for: holder, family: address.family, ignoringConsent: true)
                {
                    conflicts.append(
                        RestoreConflict(
                            address: address, kept: allocator.holders(of: address), rejected: record.service,
                            reason: refusal))
                    continue
                }
                kept.append(address)
                if !address.isUnspecified {
                    allocator.take(address, by: holder, updatingPools: false)
                }
            }
            guard !kept.isEmpty else { continue }
            let origin: Assignment.Origin =
                record.requested ? .requested : kept.allSatisfy(\.isUnspecified) ? .dhcp : .pool
            allocator.assignments[record.service] = Assignment(
                service: record.service, addresses: kept, origin: origin, ports: record.ports)
        }
        allocator.rebuildPools()
        return (allocator, conflicts)
    }

    /// Recomputes every pool's free space, use counts and shared index from the configuration and the current
    /// holdings, in one sorted sweep per pool.
    mutating func rebuildPools() {
        let definitions = configuration.pools.values.sorted { $0.scope < $1.scope }
        coverage = PoolCoverage(definitions)
        poolIDs = Dictionary(uniqueKeysWithValues: definitions.enumerated().map { ($1.scope, $0) })
        defaultPolicy = NamespacePolicy(
            poolID: poolIDs[.global], consents: configuration.sharingSettings[.global] ?? false)
        namespacePolicies = [:]
        for case .namespace(let name) in Set(configuration.pools.keys).union(configuration.sharingSettings.keys) {
            namespacePolicies[NamespaceKey(name)] = NamespacePolicy(
                poolID: configuration.scope(forNamespace: name).flatMap { poolIDs[$0] },
                consents: configuration.allowsSharing(namespace: name))
        }

        var held: [[UInt128]] = [[], []]
        for address in holdings.keys {
            held[address.family.index].append(address.value)
        }
        var unavailable = held
        for address in recent.heldBack.keys {
            unavailable[address.family.index].append(address.value)
        }
        for family in 0..<2 {
            held[family].sort()
            unavailable[family].sort()
        }

        pools = definitions.map { definition in
            PoolState(
                definition: definition,
                free: IPFamily.allCases.map { family in
                    FreeSpace(
                        family: family, members: definition.members[family.index], minus: unavailable[family.index])
                })
        }
        for (address, release) in recent.heldBack.sorted(by: { $0.value < $1.value })
        where !Allocatability.isSkipped(address.value, address.family) {
            for id in coverage.pools(containing: address) {
                pools[id].heldBack[address.family.index].append((address.value, release))
            }
        }

        var shared: [[(key: UInt128, payload: SharedPorts)]] = Array(repeating: [], count: pools.count)
        for family in IPFamily.allCases {
            for value in held[family.index] where !Allocatability.isSkipped(value, family) {
                guard let address = IPAddress(family: family, value: value) else { continue }
                let containing = coverage.pools(containing: address)
                guard !containing.isEmpty else { continue }
                let holding = holdings[address]
                for id in containing {
                    pools[id].used[family.index] += 1
                    if family == .ipv4, let holding, holding.isJoinable {
                        shared[id].append((value, SharedPorts(ports: holding.ports)))
                    }
                }
            }
        }
        for id in pools.indices where !shared[id].isEmpty {
            pools[id].shared = SharedAddressIndex(sorted: shared[id])
        }
    }
}

extension SharedAddressIndex {
    init(sorted entries: [(key: UInt128, payload: SharedPorts)]) {
        self.init()
        self.replaceAll(OrderedTree(sorted: entries))
    }
}
