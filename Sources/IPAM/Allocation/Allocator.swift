import NetworkAddresses

/// Hands out LoadBalancer addresses from the `kubevip` pools, never giving one address to two Services
/// unless both allow sharing and their ports are disjoint, whatever namespaces and overlapping pools are
/// involved.
///
/// A pure value: no I/O, no clock, no locks. The controller owns one and feeds it Service events; the same
/// sequence of calls always gives the same addresses.
///
/// Costs: allocate, release and claiming a specific address are O(log n) in the number of Services and pool
/// fragments (times the few pools that overlap at one address), whatever the pool sizes: a /8 or an IPv6 /64
/// costs what a /29 does. Memory grows with Services, not addresses.
public struct Allocator: Sendable {
    public internal(set) var configuration: PoolConfiguration
    var pools: [PoolState] = []
    var poolIDs: [PoolScope: Int] = [:]
    var coverage = PoolCoverage([])
    var holdings: [IPAddress: Holding] = [:]
    var assignments = AssignmentTable()
    var recent: RecentReleases
    /// Pool and sharing consent of every namespace the configuration names; others get `defaultPolicy`.
    var namespacePolicies: [NamespaceKey: NamespacePolicy] = [:]
    var defaultPolicy = NamespacePolicy(poolID: nil, consents: false)

    /// - Parameter recentReleaseCapacity: how many released Services' addresses to remember so that a
    ///   re-created Service gets its address back; 0 turns that off.
    public init(configuration: PoolConfiguration, recentReleaseCapacity: Int = 4096) {
        self.configuration = configuration
        recent = RecentReleases(capacity: recentReleaseCapacity)
        rebuildPools()
    }

    // MARK: Queries

    public func assignment(for service: ServiceKey) -> Assignment? { assignments[service] }

    /// Every assignment, ordered by Service.
    public var allAssignments: [Assignment] { assignments.values.sorted { $0.service < $1.service } }

    public var assignmentCount: Int { assignments.count }

    /// The Services holding `address` (more than one only when they share it).
    public func holders(of address: IPAddress) -> [ServiceKey] {
        holdings[address]?.holders.map(\.service) ?? []
    }

    /// Number of distinct addresses held.
    public var heldAddressCount: Int { holdings.count }

    /// Capacity and use of every pool and family it has addresses of.
    public func usage() -> [PoolUsage] {
        pools.flatMap { pool in
            IPFamily.allCases.compactMap { family -> PoolUsage? in
                guard pool.definition.hasAddresses(family) else { return nil }
                return PoolUsage(
                    scope: pool.definition.scope, family: family, capacity: pool.definition.capacity(family),
                    used: pool.used[family.index])
            }
        }
    }

    /// Free intervals of one pool; for tests and diagnostics.
    func freeIntervals(_ scope: PoolScope, _ family: IPFamily) -> [ClosedRange<UInt128>] {
        poolIDs[scope].map { pools[$0].free[family.index].intervals } ?? []
    }

    /// Shared-address index of one pool; for tests.
    func sharedEntries(_ scope: PoolScope) -> [(address: UInt128, ports: [ServicePort])] {
        poolIDs[scope].map { pools[$0].shared.entries } ?? []
    }
}

/// What the configuration says for one namespace, resolved once per configuration rather than per call.
struct NamespacePolicy: Sendable {
    /// The pool its Services draw from, nil when none serves it.
    let poolID: Int?
    /// Its Services may share addresses (`allow-share-<ns>`, else `allow-share-global`).
    let consents: Bool
}

extension Allocator {
    func policy(for service: ServiceKey) -> NamespacePolicy {
        namespacePolicies[service.namespaceKey] ?? defaultPolicy
    }
}

/// One pool's live state: what is free, what may be joined, how much is used.
struct PoolState: Sendable {
    let definition: PoolDefinition
    /// Free allocatable addresses per family (0: IPv4, 1: IPv6).
    var free: [FreeSpace]
    /// Joinable IPv4 addresses and their used ports.
    var shared = SharedAddressIndex()
    /// Held allocatable member addresses per family.
    var used = [0, 0]
    /// Addresses held back for released Services, oldest release first, per family. Entries whose address was
    /// taken meanwhile are skipped when reached.
    var heldBack: [[(value: UInt128, release: UInt64)]] = [[], []]
    var heldBackHead = [0, 0]
}
