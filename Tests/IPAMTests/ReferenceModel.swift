import NetworkAddresses

@testable import IPAM

/// A deliberately naive allocator that enumerates every address of every pool, used as the oracle for the
/// property tests. It shares no code with the allocator beyond address parsing and the public value types.
struct ReferenceModel {
    struct Claim: Equatable {
        let service: ServiceKey
        var ports: Set<ServicePort>
        var consents: Bool
        var shares: Bool { consents && !ports.isEmpty }
    }

    struct Pool {
        var isDHCP = false
        /// Member values per family, sorted (tiny pools only).
        var members: [IPFamily: [UInt128]] = [.ipv4: [], .ipv6: []]
    }

    struct Held {
        let service: ServiceKey
        let release: Int
    }

    private(set) var data: [String: String]
    let memoryCapacity: Int
    private(set) var pools: [PoolScope: Pool] = [:]
    private(set) var holders: [IPAddress: [Claim]] = [:]
    private(set) var assignments: [ServiceKey: Assignment] = [:]
    /// Released Services, oldest first.
    private var memory: [(service: ServiceKey, addresses: [IPAddress], release: Int)] = []
    private(set) var heldBack: [IPAddress: Held] = [:]
    private var releases = 0

    init(data: [String: String], memoryCapacity: Int) {
        self.data = data
        self.memoryCapacity = memoryCapacity
        loadPools()
    }

    // MARK: Configuration

    private var descending: Bool { data["search-order"] == "desc" }

    private func consents(_ namespace: String) -> Bool {
        func flag(_ key: String) -> Bool? { data[key].flatMap { PoolConfiguration.parseBool($0) } }
        return flag("allow-share-\(namespace)") ?? flag("allow-share-global") ?? false
    }

    private func scope(of namespace: String) -> PoolScope? {
        if pools[.namespace(namespace)] != nil { return .namespace(namespace) }
        return pools[.global] != nil ? .global : nil
    }

    private mutating func loadPools() {
        pools = [:]
        let skipEnds = data["skip-end-ips-in-cidr"] == "true"
        for (key, value) in data {
            let isCIDR = key.hasPrefix("cidr-")
            guard isCIDR || key.hasPrefix("range-") else { continue }
            let suffix = String(key.drop { $0 != "-" }.dropFirst())
            let scope: PoolScope = suffix == "global" ? .global : .namespace(suffix)
            var pool = pools[scope] ?? Pool()
            for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: " ") }) {
                if isCIDR && entry == "0.0.0.0/32" {
                    pool.isDHCP = true
                } else if isCIDR, let cidr = CIDR(entry) {
                    var low = cidr.network.value
                    var high = cidr.lastAddress.value
                    if skipEnds && cidr.family == .ipv4 && cidr.prefixLength < 31 {
                        low += 1
                        high -= 1
                    }
                    pool.members[cidr.family, default: []] += Array(low...high)
                } else if let dash = entry.firstIndex(of: "-"), let start = IPAddress(String(entry[..<dash])),
                    let end = IPAddress(String(entry[entry.index(after: dash)...]))
                {
                    pool.members[start.family, default: []] += Array(start.value...end.value)
                }
            }
            pools[scope] = pool
        }
        for scope in pools.keys {
            if pools[scope]?.isDHCP == true {
                pools[scope]?.members = [.ipv4: [], .ipv6: []]
            }
            for family in IPFamily.allCases {
                let members = pools[scope]?.members[family] ?? []
                pools[scope]?.members[family] = Array(Set(members)).sorted()
            }
        }
    }

    // MARK: Rules

    static func skipped(_ value: UInt128, _ family: IPFamily) -> Bool {
        switch family {
        case .ipv4: value % 256 == 0 || value % 256 == 255
        case .ipv6: value % (UInt128(1) << 64) == 0
        }
    }

    private func allocatable(_ scope: PoolScope, _ family: IPFamily) -> [UInt128] {
        (pools[scope]?.members[family] ?? []).filter { !Self.skipped($0, family) }
    }

    /// Free and not held back.
    func freeAddresses(_ scope: PoolScope, _ family: IPFamily) -> [UInt128] {
        allocatable(scope, family).filter { value in
            guard let address = IPAddress(family: family, value: value) else { return false }
            return (holders[address] ?? []).isEmpty && heldBack[address] == nil
        }
    }

    /// Nil when `claim` may hold `address` beside its current holders.
    private func refused(_ address: IPAddress, _ claim: Claim) -> Bool {
        let others = (holders[address] ?? []).filter { $0.service != claim.service }
        if others.isEmpty { return false }
        if address.family == .ipv6 || !claim.shares { return true }
        if others.contains(where: { !$0.shares }) { return true }
        return others.contains { !$0.ports.isDisjoint(with: claim.ports) }
    }

    // MARK: Operations

    enum Outcome: Equatable {
        case success([IPAddress])
        case failure(String)
    }

    static func kind(_ failure: AllocationFailure) -> String {
        switch failure {
        case .noPool: "noPool"
        case .noPoolForFamily: "noPoolForFamily"
        case .exhausted: "exhausted"
        case .noFamilyAvailable: "noFamilyAvailable"
        case .addressInUse(let address, _, _): "addressInUse \(address)"
        }
    }

    mutating func allocate(_ request: AddressRequest) -> Outcome {
        let service = request.service
        let claim = Claim(
            service: service, ports: Set(request.ports), consents: consents(service.namespace))
        let current = assignments[service]
        if !request.requestedAddresses.isEmpty {
            var wanted: [IPAddress] = []
            for address in request.requestedAddresses where !wanted.contains(address) { wanted.append(address) }
            for address in wanted where address.value != 0 && refused(address, claim) {
                return .failure("addressInUse \(address)")
            }
            for address in current?.addresses ?? [] where !wanted.contains(address) { drop(address, service) }
            for address in wanted where address.value != 0 { hold(address, claim) }
            forgetMemory(service)
            assignments[service] = Assignment(service: service, addresses: wanted, origin: .requested, ports: request.ports)
            return .success(wanted)
        }
        guard let scope = scope(of: service.namespace), let pool = pools[scope] else {
            if let current { return .success(current.addresses) }
            return .failure("noPool")
        }
        if pool.isDHCP {
            if let current, current.addresses.contains(where: { $0.value != 0 }) {
                let held = current.addresses.filter { $0.value != 0 }
                if let blocked = held.first(where: { refused($0, claim) }) { return .failure("addressInUse \(blocked)") }
                for address in held { hold(address, claim) }
                assignments[service]?.ports = request.ports
                return .success(current.addresses)
            }
            assignments[service] = Assignment(service: service, addresses: [IPAddress(ipv4: 0)], origin: .dhcp, ports: request.ports)
            forgetMemory(service)
            return .success([IPAddress(ipv4: 0)])
        }

        let hasV4 = !(pool.members[.ipv4] ?? []).isEmpty
        let hasV6 = !(pool.members[.ipv6] ?? []).isEmpty
        let order: [IPFamily]
        let requiresAll: Bool
        if request.familyPolicy == .singleStack {
            order = [request.families.first ?? (hasV4 || !hasV6 ? .ipv4 : .ipv6)]
            requiresAll = true
        } else {
            let primary = request.families.first ?? .ipv4
            order = [primary, primary == .ipv4 ? .ipv6 : .ipv4]
            requiresAll = request.familyPolicy == .requireDualStack
        }
        let previous = current == nil ? memory.first(where: { $0.service == service }) : nil
        var chosen: [IPAddress] = []
        var failures: [String] = []
        for family in order {
            if let kept = current?.addresses.first(where: { $0.family == family && $0.value != 0 }) {
                if refused(kept, claim) { return .failure("addressInUse \(kept)") }
                chosen.append(kept)
            } else if (pool.members[family] ?? []).isEmpty {
                failures.append("noPoolForFamily")
            } else if let address = pick(scope, family, claim, previous) {
                chosen.append(address)
            } else {
                failures.append("exhausted")
            }
        }
        if requiresAll, let failure = failures.first { return .failure(failure) }
        if chosen.isEmpty { return .failure(failures.count == 1 ? failures[0] : "noFamilyAvailable") }
        for address in current?.addresses ?? [] where !chosen.contains(address) { drop(address, service) }
        for address in chosen { hold(address, claim) }
        forgetMemory(service)
        assignments[service] = Assignment(service: service, addresses: chosen, origin: .pool, ports: request.ports)
        return .success(chosen)
    }

    private func pick(
        _ scope: PoolScope, _ family: IPFamily, _ claim: Claim,
        _ previous: (service: ServiceKey, addresses: [IPAddress], release: Int)?
    ) -> IPAddress? {
        let candidates = descending ? allocatable(scope, family).reversed() : allocatable(scope, family)
        let addresses = candidates.compactMap { IPAddress(family: family, value: $0) }
        if let previous, let old = previous.addresses.first(where: { $0.family == family }),
            addresses.contains(old)
        {
            let heldForMe = heldBack[old].map { $0.service == claim.service && $0.release == previous.release } ?? false
            let isFree = (holders[old] ?? []).isEmpty && heldBack[old] == nil
            let joinable = !(holders[old] ?? []).isEmpty && !refused(old, claim)
            if heldForMe || isFree || joinable { return old }
        }
        if family == .ipv4 && claim.shares {
            if let shared = addresses.first(where: { address in
                let current = holders[address] ?? []
                return !current.isEmpty && current.allSatisfy(\.shares)
                    && current.allSatisfy { $0.ports.isDisjoint(with: claim.ports) }
            }) {
                return shared
            }
        }
        if let free = addresses.first(where: { (holders[$0] ?? []).isEmpty && heldBack[$0] == nil }) {
            return free
        }
        return addresses.filter { heldBack[$0] != nil }.min { (heldBack[$0]?.release ?? 0) < (heldBack[$1]?.release ?? 0) }
    }

    mutating func release(_ service: ServiceKey) {
        guard let assignment = assignments.removeValue(forKey: service) else { return }
        let held = assignment.addresses.filter { $0.value != 0 }
        guard assignment.origin == .pool, memoryCapacity > 0, !held.isEmpty else {
            for address in held { drop(address, service) }
            return
        }
        forgetMemory(service)
        releases += 1
        memory.append((service, held, releases))
        while memory.count > memoryCapacity {
            let oldest = memory.removeFirst()
            endHolds(oldest.service, oldest.release)
        }
        for address in held {
            drop(address, service)
            if (holders[address] ?? []).isEmpty {
                heldBack[address] = Held(service: service, release: releases)
            }
        }
    }

    mutating func reconfigure(_ data: [String: String]) -> [PoolDrift] {
        self.data = data
        loadPools()
        for (address, claims) in holders {
            holders[address] = claims.map { claim in
                var updated = claim
                updated.consents = consents(claim.service.namespace)
                return updated
            }
        }
        var drift: [PoolDrift] = []
        for assignment in assignments.values where assignment.origin == .pool {
            let scope = scope(of: assignment.service.namespace)
            for address in assignment.addresses where address.value != 0 {
                let inside = scope.flatMap { pools[$0]?.members[address.family] }?.contains(address.value) ?? false
                if !inside { drift.append(PoolDrift(service: assignment.service, address: address, scope: scope)) }
            }
        }
        return drift.sorted { ($0.service, $0.address) < ($1.service, $1.address) }
    }

    // MARK: Bookkeeping

    private mutating func hold(_ address: IPAddress, _ claim: Claim) {
        var claims = holders[address] ?? []
        if let index = claims.firstIndex(where: { $0.service == claim.service }) {
            claims[index] = claim
        } else {
            claims.append(claim)
        }
        holders[address] = claims
        heldBack[address] = nil
    }

    private mutating func drop(_ address: IPAddress, _ service: ServiceKey) {
        holders[address]?.removeAll { $0.service == service }
        if holders[address]?.isEmpty == true { holders[address] = nil }
    }

    private mutating func forgetMemory(_ service: ServiceKey) {
        guard let index = memory.firstIndex(where: { $0.service == service }) else { return }
        let entry = memory.remove(at: index)
        endHolds(entry.service, entry.release)
    }

    private mutating func endHolds(_ service: ServiceKey, _ release: Int) {
        for (address, held) in heldBack where held.service == service && held.release == release {
            heldBack[address] = nil
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
