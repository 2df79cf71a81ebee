import Foundation
import IPAM
import KubeVipConventions
import KubernetesModels
import NetworkAddresses
import ReportText

extension StatusReport {
    /// Computes the report. Pools and their use come from IPAM itself (the ConfigMap parsed as the allocator
    /// parses it, the allocator rebuilt from the recorded addresses as a restarting controller rebuilds it),
    /// so what `status` says is what the allocator would do.
    public init(_ input: StatusInput) {
        let data: [String: String]
        var configMapProblems: [Problem] = []
        let configMapState: ConfigMapSummary.State
        let configMapName = "\(input.configMapNamespace)/\(input.configMapName)"
        switch input.configMap {
        case .found(let found):
            data = found
            configMapState = .found
        case .missing:
            data = [:]
            configMapState = .missing
            configMapProblems.append(
                Problem(
                    .error, "configMapMissing",
                    "ConfigMap \(configMapName) not found: there are no pools, so only Services with a static address get one"
                ))
        case .unreadable(let why):
            data = [:]
            configMapState = .unreadable
            configMapProblems.append(
                Problem(.error, "configMapUnreadable", "ConfigMap \(configMapName) cannot be read: \(why)"))
        }
        let configuration = PoolConfiguration(data: data)
        configMapProblems += configuration.diagnostics.map { diagnostic in
            // Diagnostic.description leads with its severity, which Problem prints already.
            let entry = diagnostic.entry.map { " entry \"\($0)\":" } ?? ""
            return Problem(
                diagnostic.severity == .error ? .error : .warning, "configMapEntry",
                "\(diagnostic.key):\(entry) \(diagnostic.message)")
        }

        let names = PoolNames(configuration: configuration, data: data)
        let services = input.services
            .filter { Self.isKubeVips($0, class: input.loadBalancerClass) }
            .map(ServiceFacts.init)
            .sorted { ($0.created, $0.key) < ($1.created, $1.key) }
        let allocator = Self.rebuildAllocator(configuration, services)

        var dhcpUsers: [PoolScope: Int] = [:]
        for service in services where service.recorded.contains(where: \.isUnspecified) {
            if let scope = configuration.scope(forNamespace: service.key.namespace),
                configuration.pools[scope]?.isDHCP == true
            {
                dhcpUsers[scope, default: 0] += 1
            }
        }
        let pools = Self.poolRows(configuration, names: names, usage: allocator.usage(), dhcpUsers: dhcpUsers)

        let context = ServiceContext(
            configuration: configuration, names: names, allocator: allocator, services: services,
            leases: Dictionary(input.leases.map { lease in (LeaseFacts(lease).name, LeaseFacts(lease)) }) { a, _ in a },
            globalLease: LeaseName(namespace: input.globalLeaseNamespace, name: input.globalLeaseName),
            events: Self.eventsByService(input.events), now: input.now,
            configMapAvailable: configMapState == .found, users: ServiceContext.users(of: services))
        let rows = services
            .filter { input.namespaceFilter == nil || $0.key.namespace == input.namespaceFilter }
            .sorted { $0.key < $1.key }
            .map(context.row)

        let problems = configMapProblems + rows.flatMap(\.problems)
        self.init(
            configMap: ConfigMapSummary(
                namespace: input.configMapNamespace, name: input.configMapName, state: configMapState,
                problems: ServiceContext.bySeverity(configMapProblems)),
            pools: pools,
            services: rows,
            readProblems: input.readProblems,
            summary: StatusSummary(
                pools: configuration.pools.count,
                services: rows.count,
                served: rows.count { $0.state == .served },
                unheld: rows.count { $0.state == .unheld },
                pending: rows.count { $0.state == .pending },
                waitingForDHCP: rows.count { $0.state == .waitingForDHCP },
                errors: problems.count { $0.severity == .error },
                warnings: problems.count { $0.severity == .warning },
                notes: problems.count { $0.severity == .note }))
    }

    /// The cloud-provider role's rule: type LoadBalancer, and no class (or exactly the configured one).
    static func isKubeVips(_ service: KubernetesService, class selected: String?) -> Bool {
        service.spec?.type == "LoadBalancer" && service.spec?.loadBalancerClass == selected
            && service.metadata.deletionTimestamp == nil
    }

    /// The allocator as a restarted controller rebuilds it: every recorded claim, oldest first.
    static func rebuildAllocator(_ configuration: PoolConfiguration, _ services: [ServiceFacts]) -> Allocator {
        var records: [ExistingAssignment] = []
        for (order, service) in services.enumerated() where !service.recorded.isEmpty {
            let pool = configuration.pool(forNamespace: service.key.namespace)
            let fromPool =
                pool.map { pool in
                    service.recorded.allSatisfy { $0.isUnspecified ? pool.isDHCP : pool.contains($0) }
                } ?? false
            records.append(
                ExistingAssignment(
                    service: service.key, addresses: service.recorded, ports: service.ports,
                    requested: service.recordIsLegacy || !fromPool, created: Int64(order)))
        }
        return Allocator.restore(configuration: configuration, from: records, recentReleaseCapacity: 0).allocator
    }

    static func poolRows(
        _ configuration: PoolConfiguration, names: PoolNames, usage: [PoolUsage], dhcpUsers: [PoolScope: Int]
    ) -> [PoolRow] {
        var used: [PoolScope: [IPFamily: Int]] = [:]
        for entry in usage {
            used[entry.scope, default: [:]][entry.family] = entry.used
        }
        var rows: [PoolRow] = []
        for (scope, pool) in configuration.pools {
            let name = names.name(scope)
            if pool.isDHCP {
                rows.append(
                    PoolRow(
                        name: name, scope: scope.keySuffix, family: "DHCP", capacity: nil,
                        inUse: dhcpUsers[scope] ?? 0, free: nil, usedFraction: 0, ranges: ["0.0.0.0/32"]))
                continue
            }
            let families = IPFamily.allCases.filter { pool.hasAddresses($0) }
            if families.isEmpty {
                rows.append(
                    PoolRow(
                        name: name, scope: scope.keySuffix, family: "none", capacity: "0", inUse: 0, free: "0",
                        usedFraction: 0, ranges: []))
            }
            for family in families {
                let capacity = pool.capacity(family)
                let inUse = used[scope]?[family] ?? 0
                let held = UInt128(inUse)
                rows.append(
                    PoolRow(
                        name: name, scope: scope.keySuffix, family: family.description,
                        capacity: String(capacity), inUse: inUse,
                        free: String(capacity > held ? capacity - held : 0),
                        usedFraction: capacity == 0 ? 0 : Double(held) / Double(capacity),
                        ranges: pool.ranges(family).map(AddressText.range)))
            }
        }
        return rows.sorted { ($0.name, $0.family) < ($1.name, $1.family) }
    }

    static func eventsByService(_ events: [Event]) -> [ServiceKey: [EventFacts]] {
        var result: [ServiceKey: [EventFacts]] = [:]
        for event in events {
            guard let facts = EventFacts(event), let name = event.involvedObject.name else { continue }
            let key = ServiceKey(
                namespace: event.involvedObject.namespace ?? event.metadata.namespace ?? "default", name: name)
            result[key, default: []].append(facts)
        }
        return result.mapValues { $0.sorted { $0.time < $1.time } }
    }
}

/// Pools named by the ConfigMap keys that make them (`cidr-web`, `cidr-global+range-global`), which is what
/// a user greps the ConfigMap for.
struct PoolNames {
    private var names: [PoolScope: String] = [:]

    init(configuration: PoolConfiguration, data: [String: String]) {
        for scope in configuration.pools.keys {
            let keys = ["cidr-", "range-"].map { $0 + scope.keySuffix }.filter { data[$0] != nil }
            names[scope] = keys.isEmpty ? "pool-\(scope.keySuffix)" : keys.joined(separator: "+")
        }
    }

    func name(_ scope: PoolScope) -> String { names[scope] ?? "pool-\(scope.keySuffix)" }
}

/// What every Service row is judged against.
struct ServiceContext {
    let configuration: PoolConfiguration
    let names: PoolNames
    let allocator: Allocator
    let services: [ServiceFacts]
    let leases: [LeaseName: LeaseFacts]
    let globalLease: LeaseName
    let events: [ServiceKey: [EventFacts]]
    let now: Date
    let configMapAvailable: Bool

    /// Which Services show each address (DHCP's placeholder left out: many Services hold it).
    let users: [IPAddress: [ServiceFacts]]

    static func users(of services: [ServiceFacts]) -> [IPAddress: [ServiceFacts]] {
        var result: [IPAddress: [ServiceFacts]] = [:]
        for service in services {
            for address in service.shownAddresses where !address.isUnspecified {
                result[address, default: []].append(service)
            }
        }
        return result
    }

    func row(_ service: ServiceFacts) -> ServiceRow {
        var problems: [Problem] = []
        let addresses = service.shownAddresses
        let ownScope = configuration.scope(forNamespace: service.key.namespace)
        let ownName = ownScope.map(names.name)
        var pools: [String] = []

        if let unreadable = service.unreadableRecord {
            problems.append(
                Problem(
                    .error, "invalidAddress",
                    "\(unreadable) is not a list of at most one IPv4 and one IPv6 address; the allocator skips it"))
        }

        // Where each address lies.
        for address in addresses {
            if address.isUnspecified {
                if let ownScope, configuration.pools[ownScope]?.isDHCP == true, let ownName { pools.append(ownName) }
                continue
            }
            if let ownScope, let ownName, configuration.pools[ownScope]?.contains(address) == true {
                pools.append(ownName)
                continue
            }
            let containing = configuration.pools.values.filter { $0.contains(address) }.map { names.name($0.scope) }
                .sorted()
            if let first = containing.first {
                pools.append(first)
                let own = ownName.map { "its namespace draws from \($0)" } ?? "no pool serves its namespace"
                problems.append(
                    Problem(.note, "otherPool", "\(address) is in \(first), but \(own); a static address is served as asked"))
            } else {
                problems.append(
                    Problem(
                        .note, "outsidePools",
                        "\(address) is outside every pool: fine for a static address, which is served as asked"))
            }
        }

        problems += conflicts(service)

        // Why there is no address.
        let state: ServiceRow.State
        var holder: String?
        var holderSource: String?
        var leaseShown: String?
        if addresses.isEmpty {
            state = .pending
            problems.append(Problem(.warning, "pending", "pending: \(pendingReason(service))"))
        } else if service.isWaitingForDHCP {
            state = .waitingForDHCP
            problems.append(
                Problem(.warning, "dhcpWaiting", "0.0.0.0 (DHCP): waiting for the node agent to lease an address"))
        } else {
            let judged = holderOf(service)
            holder = judged.holder
            holderSource = judged.source
            leaseShown = judged.lease?.description
            problems += judged.problems
            state = holder == nil ? .unheld : .served
        }

        let serviceEvents = events[service.key, default: []].filter { $0.isAbout(service) }
        if let latest = serviceEvents.last, latest.isWarning {
            problems.append(Problem(.warning, "warningEvent", "last event: Warning \(latest.text)"))
        } else if state == .pending, let warning = serviceEvents.last(where: \.isWarning) {
            problems.append(Problem(.warning, "warningEvent", "last Warning event: \(warning.text)"))
        }

        var seenPools: [String] = []
        for pool in pools where !seenPools.contains(pool) { seenPools.append(pool) }
        return ServiceRow(
            namespace: service.key.namespace, name: service.key.name, state: state,
            addresses: addresses.map(\.description), pools: seenPools, holder: holder, holderSource: holderSource,
            lease: leaseShown, problems: Self.bySeverity(problems))
    }

    /// Errors first, keeping the order problems were found in within a severity.
    static func bySeverity(_ problems: [Problem]) -> [Problem] {
        Problem.Severity.allCases.flatMap { severity in problems.filter { $0.severity == severity } }
    }

    /// Asks the rebuilt allocator for an address, as the cloud-provider role would: its failure is the reason.
    func pendingReason(_ service: ServiceFacts) -> String {
        if !configMapAvailable && configuration.pools.isEmpty {
            return "no address pool (the kubevip ConfigMap is not available)"
        }
        var trial = allocator
        switch trial.allocate(service.request) {
        case .failure(let failure):
            return failure.description
        case .success(let assignment):
            let scope = configuration.scope(forNamespace: service.key.namespace)
            let pool = scope.map(names.name) ?? "its pool"
            return "\(assignment.annotationValue) is free in \(pool) but not assigned yet; is kube-vip cloud-provider running?"
        }
    }

    /// The address rules of the allocator: IPv4 only, both namespaces allow sharing (`allow-share-*`), both
    /// have ports, and no (protocol, port) is used twice. Otherwise two Services on one address is a conflict.
    func conflicts(_ service: ServiceFacts) -> [Problem] {
        var problems: [Problem] = []
        for address in service.shownAddresses where !address.isUnspecified {
            for other in users[address] ?? [] where other.key != service.key {
                if let refusal = refusal(service, other, address.family) {
                    problems.append(
                        Problem(.error, "conflict", "conflict: \(address) is also used by \(other.key): \(refusal)"))
                } else {
                    problems.append(Problem(.note, "shared", "shares \(address) with \(other.key) (ports differ)"))
                }
            }
        }
        return problems
    }

    func refusal(_ service: ServiceFacts, _ other: ServiceFacts, _ family: IPFamily) -> SharingRefusal? {
        if family == .ipv6 { return .ipv6 }
        if service.ports.isEmpty || other.ports.isEmpty { return .noPorts }
        if !configuration.allowsSharing(namespace: service.key.namespace) { return .requesterMayNotShare }
        if !configuration.allowsSharing(namespace: other.key.namespace) { return .holderMayNotShare(other.key) }
        let clashes = Set(service.ports).intersection(other.ports).sorted()
        return clashes.isEmpty ? nil : .portsInUse(clashes)
    }

    /// The node serving the Service: `kube-vip.io/vipHost` as the agent wrote it, checked against the Lease
    /// that decides it (the Service's own, else the global one).
    func holderOf(
        _ service: ServiceFacts
    ) -> (holder: String?, source: String?, lease: LeaseName?, problems: [Problem]) {
        let lease = leases[service.lease] ?? leases[globalLease]
        var problems: [Problem] = []
        if let lease {
            if lease.isExpired(at: now), let expires = lease.expires {
                let by = lease.holder.map { " (last held by \($0))" } ?? ""
                problems.append(
                    Problem(
                        .warning, "leaseExpired",
                        "Lease \(lease.name) expired at \(Self.timeText(expires))\(by): no node is renewing it"))
            }
            if let vipHost = service.vipHost, let leaseHolder = lease.holder, leaseHolder != vipHost {
                problems.append(
                    Problem(
                        .warning, "holderMismatch",
                        "\(KubeVipKeys.vipHost) says \(vipHost) but Lease \(lease.name) is held by \(leaseHolder)"))
            }
        }
        if let vipHost = service.vipHost {
            return (vipHost, "vipHost", lease?.name, problems)
        }
        if let lease, let leaseHolder = lease.holder, !lease.isExpired(at: now) {
            return (leaseHolder, "lease", lease.name, problems)
        }
        problems.append(
            Problem(
                .warning, "noHolder",
                "no holder: no node serves this address (no kube-vip.io/vipHost, no held Lease \(service.lease) or \(globalLease)); is the node agent running?"
            ))
        return (nil, nil, lease?.name, problems)
    }

    static func timeText(_ date: Date) -> String {
        Timestamp(date).description
    }
}
