import IPAM
import KubeVipConventions
import KubernetesClient
import KubernetesModels
import LeaderElection
import NetworkAddresses
import NetworkFrames
import UPnP

/// What happened, as the agent's one loop sees it.
enum AgentInput: Sendable {
    case service(InformerEvent<KubernetesService>)
    case endpointSlice(InformerEvent<EndpointSlice>)
    case leadership(LeaseName, Leadership)
    case advertiser(AdvertiserEvent)
    case dhcp(DHCPEvent)
    case upnp(UPnPEvent)
}

/// What the loop must do about it; the reconciler itself does no I/O.
enum AgentAction: Sendable, Hashable {
    /// Join the election for a Lease (per-Service mode: some Service under it may be served here).
    case campaign(LeaseName)
    /// Leave it and hand the Lease over (nothing under it may be served here any more).
    case resign(LeaseName)
    /// Start holding an address.
    case claim(AddressClaim, lease: LeaseName)
    /// Stop holding it and remove it from the interface.
    case withdraw(IPAddress)
    /// Start leasing an address by DHCP on a macvlan of its own.
    case startDHCP(DHCPClaim, lease: LeaseName)
    /// Release that lease and delete the macvlan (its address is withdrawn first, by a `.withdraw` before this).
    case stopDHCP(name: String)
    /// Keep these ports of a Service mapped on the UPnP gateway (start forwarding, or change what is forwarded).
    case forward(PortForwarding)
    /// Delete the Service's mappings. Comes before the `.withdraw` of its address, which waits for the deletion:
    /// a gateway in secure mode only accepts it from the mapped address.
    case stopForwarding(ServiceKey)
    /// Record in the Service that this node serves these addresses: the parts that differ (ingress nil: already
    /// so; annotations: only those to change).
    case writeStatus(ServiceKey, ingress: [LoadBalancerIngress]?, annotations: [String: String], lease: LeaseName)
    case event(ServiceKey, uid: String, warning: Bool, reason: String, message: String)
}

/// The node agent's rules as a pure state machine: which Leases to campaign for, which addresses to hold,
/// what to write back, from the Services, their endpoints and the election results.
///
/// Services that share an address form a group that is always served by one node: in per-Service mode the
/// group campaigns under the Lease of its oldest member, so two Services on one address can never be held
/// by two nodes (upstream lets them split unless the user gives both the same `kube-vip.io/leaseName`).
/// Decisions wait until both watches have listed everything once, so a partial view never withdraws or
/// claims anything.
struct AgentReconciler {
    private let settings: AgentSettings
    private var intents: [ServiceKey: ServiceIntent] = [:]
    private var servicesByAddress: [IPAddress: Set<ServiceKey>] = [:]
    /// DHCP Services by macvlan: those naming the same one share its lease, so they are one group.
    private var servicesByMacvlan: [String: Set<ServiceKey>] = [:]
    private var endpoints: EndpointIndex
    private var servicesSynced = false
    private var endpointsSynced = false

    private struct LeaseState {
        var campaigning = false
        var leading = false
        /// Another node was seen holding this Lease: the addresses under it were probably announced by
        /// kube-vip before, so taking them over skips the conflict probe (the old holder may still answer).
        var otherHolderSeen = false
        /// Set when leadership was won from another holder, until the claims it causes are made.
        var takingOver = false
    }
    private var leases: [LeaseName: LeaseState] = [:]
    /// Per-Service mode: which groups (by their oldest member) want each Lease.
    private var leaseWantedBy: [LeaseName: Set<ServiceKey>] = [:]
    private var groupLease: [ServiceKey: LeaseName] = [:]

    struct Claim: Sendable, Hashable {
        var claim: AddressClaim
        var lease: LeaseName
        var held = false
        /// The link the address was put on, once held: where UPnP discovery asks.
        var link: String?
        var conflict: MACAddress?
        var problem: String?
    }
    private(set) var claims: [IPAddress: Claim] = [:]

    struct DHCPState: Sendable, Hashable {
        var claim: DHCPClaim
        var lease: LeaseName
        /// The address leased, once bound.
        var address: IPAddress?
        var problem: String?
    }
    /// DHCP leases this node runs a client for, by macvlan name.
    private(set) var dhcpClients: [String: DHCPState] = [:]

    struct ForwardingState: Sendable, Hashable {
        var forwarding: PortForwarding
        /// The gateway's external address and the ports mapped there, once reported.
        var externalAddress: IPAddress?
        var ports: [ForwardedPort] = []
    }
    /// Services whose ports this node keeps mapped on the UPnP gateway.
    private(set) var forwarders: [ServiceKey: ForwardingState] = [:]
    /// Services this node serves (their addresses are claimed here).
    private var served: [ServiceKey: LeaseName] = [:]
    private struct WrittenStatus: Hashable {
        var ingress: [LoadBalancerIngress]
        var annotations: [String: String]
    }
    /// Status writes handed to the writer and not yet seen on the Service.
    private var requested: [ServiceKey: WrittenStatus] = [:]
    /// What each Service was last warned about, so a warning is posted once per change, not per event.
    private var warned: [ServiceKey: Set<String>] = [:]

    init(settings: AgentSettings) {
        self.settings = settings
        endpoints = EndpointIndex(nodeName: settings.nodeName)
        if case .global(let namespace, let name) = settings.election {
            leases[LeaseName(namespace: namespace, name: name)] = LeaseState()
        }
    }

    var isSynced: Bool { servicesSynced && endpointsSynced }

    /// The global Lease, in global mode.
    var globalLease: LeaseName? {
        guard case .global(let namespace, let name) = settings.election else { return nil }
        return LeaseName(namespace: namespace, name: name)
    }

    /// Every address some handled Service asks for, for the start-up clean-up of addresses a previous run of
    /// this agent left on the interface.
    var requestedAddresses: Set<IPAddress> { Set(servicesByAddress.keys) }
    /// Every macvlan some DHCP Service names, for the start-up clean-up of those an earlier run left behind.
    var requestedMacvlans: Set<String> { Set(servicesByMacvlan.keys) }
    var dhcpLeaseCount: Int { dhcpClients.values.count { $0.address != nil } }
    var upnpMappingCount: Int { forwarders.values.reduce(0) { $0 + ($1.externalAddress == nil ? 0 : $1.ports.count) } }

    var servedCount: Int { served.count }
    var heldCount: Int { claims.values.count { $0.held } }

    // MARK: - Inputs

    mutating func apply(_ input: AgentInput) -> [AgentAction] {
        switch input {
        case .service(let event):
            return serviceChanged(event)
        case .endpointSlice(let event):
            var touched: Set<ServiceKey> = []
            switch event {
            case .added(let slice), .updated(_, let slice):
                if let key = endpoints.update(slice) { touched.insert(key) }
            case .deleted(let slice):
                if let key = endpoints.delete(slice) { touched.insert(key) }
            case .synced:
                let first = !isSynced
                endpointsSynced = true
                return first && isSynced ? firstReconcile() : []
            }
            return isSynced ? reconcile(touched) : []
        case .leadership(let lease, let leadership):
            return leadershipChanged(lease, leadership)
        case .advertiser(let event):
            return advertiserReported(event)
        case .dhcp(let event):
            return dhcpReported(event)
        case .upnp(let event):
            return upnpReported(event)
        }
    }

    private mutating func serviceChanged(_ event: InformerEvent<KubernetesService>) -> [AgentAction] {
        switch event {
        case .added(let service), .updated(_, let service):
            let key = ServiceKey(namespace: service.metadata.namespace ?? "default", name: service.metadata.name ?? "")
            var touched: Set<ServiceKey> = [key]
            let formerAddresses = intents[key]?.addresses ?? []
            let formerMacvlans = intents[key]?.dhcp.map { [$0.macvlanName] } ?? []
            touched.formUnion(forget(key))
            var actions: [AgentAction] = []
            if case .success(let intent) = ServiceIntent.read(service, settings: settings) {
                intents[key] = intent
                for address in intent.addresses { servicesByAddress[address, default: []].insert(key) }
                if let dhcp = intent.dhcp { servicesByMacvlan[dhcp.macvlanName, default: []].insert(key) }
                actions += warnings(for: intent)
            } else {
                warned[key] = nil
            }
            return actions
                + (isSynced ? reconcile(touched, formerAddresses: formerAddresses, formerMacvlans: formerMacvlans) : [])
        case .deleted(let service):
            let key = ServiceKey(namespace: service.metadata.namespace ?? "default", name: service.metadata.name ?? "")
            let formerAddresses = intents[key]?.addresses ?? []
            let formerMacvlans = intents[key]?.dhcp.map { [$0.macvlanName] } ?? []
            var touched = forget(key)
            touched.insert(key)
            warned[key] = nil
            return isSynced ? reconcile(touched, formerAddresses: formerAddresses, formerMacvlans: formerMacvlans) : []
        case .synced:
            let first = !isSynced
            servicesSynced = true
            return first && isSynced ? firstReconcile() : []
        }
    }

    /// Removes a Service's intent; returns the Services that shared its addresses (their group changes).
    private mutating func forget(_ key: ServiceKey) -> Set<ServiceKey> {
        guard let old = intents.removeValue(forKey: key) else { return [] }
        var neighbours: Set<ServiceKey> = []
        for address in old.addresses {
            servicesByAddress[address]?.remove(key)
            if let others = servicesByAddress[address] {
                if others.isEmpty { servicesByAddress[address] = nil } else { neighbours.formUnion(others) }
            }
        }
        if let name = old.dhcp?.macvlanName {
            servicesByMacvlan[name]?.remove(key)
            if let others = servicesByMacvlan[name] {
                if others.isEmpty { servicesByMacvlan[name] = nil } else { neighbours.formUnion(others) }
            }
        }
        return neighbours
    }

    private mutating func leadershipChanged(_ lease: LeaseName, _ leadership: Leadership) -> [AgentAction] {
        guard var state = leases[lease] else { return [] }
        switch leadership {
        case .leading:
            guard !state.leading else { return [] }
            state.leading = true
            state.takingOver = state.otherHolderSeen
        case .following(let holder):
            if let holder, !holder.isEmpty, holder != settings.nodeName { state.otherHolderSeen = true }
            guard state.leading else {
                leases[lease] = state
                return []
            }
            state.leading = false
        }
        leases[lease] = state
        let affected: Set<ServiceKey> = lease == globalLease ? Set(intents.keys) : (leaseWantedBy[lease] ?? [])
        guard isSynced else { return [] }
        let actions = reconcile(affected)
        leases[lease]?.takingOver = false
        return actions
    }

    private mutating func advertiserReported(_ event: AdvertiserEvent) -> [AgentAction] {
        switch event {
        case .held(let address, let link):
            guard var claim = claims[address] else { return [] }
            let wasHeld = claim.held
            let hadConflict = claim.conflict != nil
            claim.held = true
            claim.link = link.name
            claim.conflict = nil
            claim.problem = nil
            claims[address] = claim
            var actions: [AgentAction] = []
            if !wasHeld {
                let resolved = hadConflict ? " (the conflicting owner is gone)" : ""
                actions += owners(of: address).map {
                    note($0, warning: false, "AddressAnnounced", "\(settings.nodeName) holds \(address) on \(link.name)\(resolved)")
                }
            }
            return actions + forwardingActions(for: owners(of: address)) + statusWrites(for: owners(of: address))
        case .conflict(let address, let owner, let link):
            guard var claim = claims[address], claim.conflict != owner else { return [] }
            claim.conflict = owner
            claim.held = false
            claims[address] = claim
            let period = Self.milliseconds(settings.announcementPeriod)
            return forwardingActions(for: owners(of: address)) + owners(of: address).map {
                note(
                    $0, warning: true, "AddressConflict",
                    "\(address) is already in use by \(owner) on \(link.name); not announcing it, probing again every \(period)")
            }
        case .noLink(let address, let reason), .failed(let address, let reason):
            guard var claim = claims[address], claim.problem != reason else { return [] }
            claim.problem = reason
            let isLink = if case .noLink = event { true } else { false }
            // A failed send leaves the address in place; only a missing link means it is not held.
            if isLink { claim.held = false }
            claims[address] = claim
            return forwardingActions(for: owners(of: address)) + owners(of: address).map {
                note($0, warning: true, isLink ? "InterfaceNotFound" : "AddressNotAdded", "\(address): \(reason)")
            }
        case .released:
            return []
        }
    }

    // MARK: - Decisions

    /// Everything at once, when both watches have listed; a Lease won before that still counts as a take-over.
    private mutating func firstReconcile() -> [AgentAction] {
        let actions = reconcile(Set(intents.keys))
        for lease in leases.keys { leases[lease]?.takingOver = false }
        return actions
    }

    /// Re-decides everything the given Services take part in: their groups (Services sharing an address,
    /// transitively), the Leases those groups want, the addresses held and the status to write.
    /// `formerAddresses` are addresses the Services asked for before this change.
    private mutating func reconcile(
        _ touched: Set<ServiceKey>, formerAddresses: [IPAddress] = [], formerMacvlans: [String] = []
    ) -> [AgentAction] {
        var actions: [AgentAction] = []
        var pending = touched
        var affectedAddresses = Set(formerAddresses)
        var affectedMacvlans = Set(formerMacvlans)
        var wantedDHCP: [String: (claim: DHCPClaim, lease: LeaseName)] = [:]
        var members: Set<ServiceKey> = []
        var touchedLeases: Set<LeaseName> = []
        while let start = pending.popFirst() {
            let group = self.group(containing: start)
            pending.subtract(group)
            members.formUnion(group)
            for key in group {
                if let lease = groupLease.removeValue(forKey: key) {
                    leaseWantedBy[lease]?.remove(key)
                    touchedLeases.insert(lease)
                }
                if let lease = served.removeValue(forKey: key) { touchedLeases.insert(lease) }
            }
            let groupMembers = group.compactMap { intents[$0] }.sorted { ($0.created, $0.key) < ($1.created, $1.key) }
            guard let oldest = groupMembers.first else { continue }
            let eligible = groupMembers.filter(isEligible)
            let lease = leaseFor(oldest, actions: &actions)
            if !eligible.isEmpty, globalLease == nil {
                groupLease[oldest.key] = lease
                leaseWantedBy[lease, default: []].insert(oldest.key)
                touchedLeases.insert(lease)
            }
            for member in groupMembers {
                affectedAddresses.formUnion(member.addresses)
                if let dhcp = member.dhcp { affectedMacvlans.insert(dhcp.macvlanName) }
            }
            guard leases[lease]?.leading == true, let first = eligible.first else { continue }
            for member in eligible { served[member.key] = lease }
            // The oldest Service naming a macvlan decides its client (MAC, host name, flags).
            for member in eligible {
                guard let dhcp = member.dhcp, wantedDHCP[dhcp.macvlanName] == nil else { continue }
                wantedDHCP[dhcp.macvlanName] = (dhcpClaim(member, dhcp), lease)
            }
            let interface = first.interface ?? settings.defaultInterface
            let takingOver = leases[lease]?.takingOver == true
            for address in Set(eligible.flatMap(\.addresses)) {
                let takeOver = takingOver || eligible.contains { $0.addresses.contains(address) && $0.vipHost != nil }
                let wanted = AddressClaim(address: address, interface: interface, takeOver: takeOver)
                if let existing = claims[address] {
                    // A change of interface or Lease moves the address; a change of the probe flag alone does not.
                    if existing.claim.interface == interface, existing.lease == lease { continue }
                    actions.append(.withdraw(address))
                }
                claims[address] = Claim(claim: wanted, lease: lease)
                actions.append(.claim(wanted, lease: lease))
            }
        }
        // Addresses no longer wanted by a served Service.
        for address in affectedAddresses.sorted() where claims[address] != nil {
            let stillWanted = (servicesByAddress[address] ?? []).contains { served[$0] == claims[address]?.lease }
            if !stillWanted {
                claims[address] = nil
                actions.append(.withdraw(address))
            }
        }
        for name in affectedMacvlans.sorted() {
            actions += reconcileDHCP(name, wanted: wantedDHCP[name])
        }
        for lease in touchedLeases.sorted() where globalLease == nil {
            let wanted = !(leaseWantedBy[lease] ?? []).isEmpty
            if leaseWantedBy[lease]?.isEmpty == true { leaseWantedBy[lease] = nil }
            let campaigning = leases[lease]?.campaigning == true
            if wanted && !campaigning {
                leases[lease, default: LeaseState()].campaigning = true
                actions.append(.campaign(lease))
            } else if !wanted && campaigning {
                leases[lease] = nil
                actions.append(.resign(lease))
            }
        }
        // Mappings go (or change) before the addresses they point to are withdrawn.
        return forwardingActions(for: Array(members)) + actions + statusWrites(for: Array(members))
    }

    /// Every Service connected to `start` through shared addresses.
    private func group(containing start: ServiceKey) -> Set<ServiceKey> {
        var group: Set<ServiceKey> = [start]
        var frontier = [start]
        while let key = frontier.popLast() {
            for address in intents[key]?.addresses ?? [] {
                for other in servicesByAddress[address] ?? [] where group.insert(other).inserted {
                    frontier.append(other)
                }
            }
            if let name = intents[key]?.dhcp?.macvlanName {
                for other in servicesByMacvlan[name] ?? [] where group.insert(other).inserted {
                    frontier.append(other)
                }
            }
        }
        return group
    }

    private func isEligible(_ intent: ServiceIntent) -> Bool {
        guard !intent.addresses.isEmpty || intent.dhcp != nil else { return false }
        let summary = endpoints.summary(for: intent.key)
        if intent.localTraffic { return summary.servingHere }
        return summary.serving || intent.allowWithoutEndpoints
    }

    private func leaseFor(_ oldest: ServiceIntent, actions: inout [AgentAction]) -> LeaseName {
        if let globalLease { return globalLease }
        return oldest.lease
    }

    /// The status each served Service should show, where it differs from what it shows.
    private mutating func statusWrites(for keys: [ServiceKey]) -> [AgentAction] {
        guard !settings.disableServiceUpdates else { return [] }
        var actions: [AgentAction] = []
        for key in keys.sorted() {
            guard let lease = served[key], let intent = intents[key] else {
                requested[key] = nil
                continue
            }
            let leasedState = intent.dhcp.flatMap { dhcpClients[$0.macvlanName] }
            let leased = leasedState?.address.flatMap { claims[$0]?.held == true ? $0 : nil }
            var held = Set(intent.addresses.filter { claims[$0]?.held == true })
            if let leased { held.insert(leased) }
            guard !held.isEmpty else { continue }
            var ingress = intent.ingress(holding: held, leased: leased)
            // Upstream lists the gateway's external address too (for external-dns), with the Service's ports.
            if let state = forwarders[key], let external = state.externalAddress, !state.ports.isEmpty,
                !ingress.contains(where: { $0.ip == external.description })
            {
                ingress.append(LoadBalancerIngress(ip: external.description, ports: intent.ports))
            }
            let current = intent.ingress.map { LoadBalancerIngress(ip: $0.ip, hostname: $0.hostname, ports: $0.ports ?? []) }
            var annotations = [KubeVipKeys.vipHost: settings.nodeName]
            var present = [KubeVipKeys.vipHost: intent.vipHost]
            if let leased, let leasedState, let dhcp = intent.dhcp {
                // What the next holder (or a restart) needs to ask the server for the same lease again.
                annotations[KubeVipKeys.hardwareAddress] = leasedState.claim.hardwareAddress.description
                annotations[KubeVipKeys.requestedIP] = leased.description
                present[KubeVipKeys.hardwareAddress] = dhcp.hardwareAddressText
                present[KubeVipKeys.requestedIP] = dhcp.requestedIPText
            }
            let changed = annotations.filter { present[$0.key] ?? nil != $0.value }
            let wanted = WrittenStatus(ingress: ingress, annotations: annotations)
            if current == ingress, changed.isEmpty {
                requested[key] = nil
                continue
            }
            // Status and annotation are two requests, so the Service is seen half-written in between; asking
            // again for what is already on its way would only repeat the write.
            guard requested[key] != wanted else { continue }
            requested[key] = wanted
            // After a hand-over the status usually lists the same addresses already; only `vipHost` changes,
            // one request per Service instead of two.
            actions.append(.writeStatus(key, ingress: current == ingress ? nil : ingress, annotations: changed, lease: lease))
        }
        return actions
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }

    private func owners(of address: IPAddress) -> [ServiceKey] {
        var owners = servicesByAddress[address] ?? []
        for (name, state) in dhcpClients where state.address == address {
            owners.formUnion(servicesByMacvlan[name] ?? [])
        }
        return owners.filter { served[$0] != nil }.sorted()
    }

    /// Warnings about the Service's own configuration, once per distinct problem.
    private mutating func warnings(for intent: ServiceIntent) -> [AgentAction] {
        var problems: [(reason: String, message: String)] = []
        if !intent.unsupported.isEmpty {
            problems.append((
                "UnsupportedAddress",
                "not served by the node agent: \(intent.unsupported.joined(separator: ", ")) (hostnames and DHCPv6 are not supported yet)"
            ))
        }
        if let dhcp = intent.dhcp, !dhcp.problems.isEmpty {
            problems.append(("InvalidDHCPAnnotation", dhcp.problems.joined(separator: "; ")))
        }
        if let upnp = intent.upnp {
            if !settings.enableUPnP {
                problems.append((
                    "UPnPDisabled",
                    "\(KubeVipKeys.forwardUPNP) is set but UPnP is off in the node agent (set enable_upnp=true); the ports are not forwarded"
                ))
            } else {
                if !upnp.problems.isEmpty {
                    problems.append(("InvalidUPnPAnnotation", upnp.problems.joined(separator: "; ")))
                }
                let other = intent.ports.filter { PortMappingProtocol(rawValue: $0.protocol.uppercased()) == nil }
                if !other.isEmpty {
                    problems.append((
                        "UPnPProtocolUnsupported",
                        "UPnP gateways forward TCP and UDP only; not forwarding \(other.map { "\($0.protocol) \($0.port)" }.joined(separator: ", "))"
                    ))
                }
            }
        }
        if intent.leaseAnnotation != nil, intent.localTraffic {
            problems.append((
                "LeaseNameIgnored",
                "\(KubeVipKeys.leaseName) is ignored with externalTrafficPolicy Local: only nodes with a local endpoint may hold the address"
            ))
        }
        let keys = Set(problems.map { "\($0.reason): \($0.message)" })
        let new = keys.subtracting(warned[intent.key] ?? [])
        warned[intent.key] = keys
        return problems.filter { new.contains("\($0.reason): \($0.message)") }.map {
            .event(intent.key, uid: intent.uid, warning: true, reason: $0.reason, message: $0.message)
        }
    }

    private func note(_ key: ServiceKey, warning: Bool, _ reason: String, _ message: String) -> AgentAction {
        .event(key, uid: intents[key]?.uid ?? "", warning: warning, reason: reason, message: message)
    }
}


// MARK: - DHCP mode

extension AgentReconciler {
    /// The client a served DHCP Service needs: its own annotations, the Service's interface as the macvlan's parent,
    /// and a MAC every node derives alike when the Service names none.
    private func dhcpClaim(_ intent: ServiceIntent, _ dhcp: DHCPRequest) -> DHCPClaim {
        DHCPClaim(
            name: dhcp.macvlanName, parent: intent.interface ?? settings.defaultInterface,
            hardwareAddress: dhcp.hardwareAddress ?? DHCPRequest.generatedHardwareAddress(uid: intent.uid),
            hostName: dhcp.hostName, broadcast: dhcp.broadcast, reversePathFilter: dhcp.reversePathFilter,
            rememberedAddress: dhcp.rememberedAddress)
    }

    /// Starts, restarts or stops the client of one macvlan to match what the served Services want of it.
    private mutating func reconcileDHCP(_ name: String, wanted: (claim: DHCPClaim, lease: LeaseName)?) -> [AgentAction] {
        let existing = dhcpClients[name]
        if let existing, let wanted, existing.lease == wanted.lease, !existing.claim.differs(from: wanted.claim) {
            return []
        }
        var actions: [AgentAction] = []
        var remembered = wanted?.claim.rememberedAddress
        if let existing {
            if let address = existing.address {
                remembered = address
                if claims[address]?.claim.interface == .named(name) {
                    claims[address] = nil
                    actions.append(.withdraw(address))
                }
            }
            dhcpClients[name] = nil
            actions.append(.stopDHCP(name: name))
        }
        if var claim = wanted?.claim, let lease = wanted?.lease {
            // A restart asks for the address it just had.
            claim.rememberedAddress = remembered
            dhcpClients[name] = DHCPState(claim: claim, lease: lease)
            actions.append(.startDHCP(claim, lease: lease))
        }
        return actions
    }

    mutating func dhcpReported(_ event: DHCPEvent) -> [AgentAction] {
        switch event {
        case .bound(let name, let address, let server, let leaseTime):
            guard var state = dhcpClients[name] else { return [] }
            let previous = state.address
            guard previous != address else {
                // A renewal; it also ends whatever problem was reported (a socket set up again).
                if state.problem != nil {
                    state.problem = nil
                    dhcpClients[name] = state
                }
                return []
            }
            var actions: [AgentAction] = []
            if let previous, claims[previous]?.claim.interface == .named(name) {
                claims[previous] = nil
                actions.append(.withdraw(previous))
            }
            if let other = claims[address], other.claim.interface != .named(name) {
                state.address = nil
                dhcpClients[name] = state
                return actions + dhcpOwners(name).map {
                    note($0, warning: true, "DHCPAddressInUse", "the DHCP server leased \(address), which another Service already uses; not serving it")
                }
            }
            state.address = address
            state.problem = nil
            dhcpClients[name] = state
            let claim = AddressClaim(address: address, interface: .named(name), takeOver: true)
            claims[address] = Claim(claim: claim, lease: state.lease)
            actions.append(.claim(claim, lease: state.lease))
            let seconds = leaseTime.components.seconds
            let message =
                if let previous {
                    "the DHCP server \(server) moved the lease on \(name) from \(previous) to \(address) (\(seconds) s)"
                } else {
                    "\(settings.nodeName) leased \(address) from the DHCP server \(server) on \(name) for \(seconds) s"
                }
            return actions + dhcpOwners(name).map {
                note($0, warning: false, previous == nil ? "DHCPLeaseObtained" : "DHCPAddressChanged", message)
            }
        case .lost(let name, let address, let reason):
            guard var state = dhcpClients[name], state.address == address else { return [] }
            state.address = nil
            dhcpClients[name] = state
            var actions: [AgentAction] = []
            if claims[address]?.claim.interface == .named(name) {
                claims[address] = nil
                actions.append(.withdraw(address))
            }
            return forwardingActions(for: dhcpOwners(name)) + actions + dhcpOwners(name).map {
                note($0, warning: true, "DHCPLeaseLost", "\(address) on \(name) is no longer leased (\(reason)); asking the DHCP server again")
            }
        case .declined(let name, let address, let owner):
            guard dhcpClients[name] != nil else { return [] }
            return dhcpOwners(name).map {
                note($0, warning: true, "DHCPAddressDeclined", "the DHCP server offered \(address), which \(owner) already uses; declined it")
            }
        case .failed(let name, let reason):
            guard var state = dhcpClients[name], state.problem != reason else { return [] }
            state.problem = reason
            dhcpClients[name] = state
            return dhcpOwners(name).map { note($0, warning: true, "DHCPFailed", reason) }
        }
    }

    private func dhcpOwners(_ name: String) -> [ServiceKey] {
        (servicesByMacvlan[name] ?? []).filter { served[$0] != nil }.sorted()
    }
}


// MARK: - UPnP mode

extension AgentReconciler {
    /// What a served, opted-in Service wants forwarded: its TCP and UDP ports to its first held IPv4 address (a
    /// gateway's external address is IPv4, and one external port can only lead to one address).
    private func wantedForwarding(_ key: ServiceKey) -> PortForwarding? {
        guard settings.enableUPnP, served[key] != nil, let intent = intents[key], let upnp = intent.upnp else { return nil }
        var candidates = intent.addresses
        if let name = intent.dhcp?.macvlanName, let leased = dhcpClients[name]?.address { candidates.append(leased) }
        guard
            let client = candidates.first(where: { $0.family == .ipv4 && claims[$0]?.held == true }),
            let link = claims[client]?.link
        else { return nil }
        var ports: [ForwardedPort] = []
        for port in intent.ports {
            guard let number = UInt16(exactly: port.port), number > 0,
                let proto = PortMappingProtocol(rawValue: port.protocol.uppercased())
            else { continue }
            let forwarded = ForwardedPort(port: number, protocol: proto)
            if !ports.contains(forwarded) { ports.append(forwarded) }
        }
        guard !ports.isEmpty else { return nil }
        return PortForwarding(
            service: key, internalClient: client, interface: link, ports: ports, leaseDuration: upnp.leaseDuration,
            node: settings.nodeName)
    }

    /// Starts, changes or stops the forwarding of each Service to match what it wants now.
    mutating func forwardingActions(for keys: [ServiceKey]) -> [AgentAction] {
        var actions: [AgentAction] = []
        for key in Set(keys).sorted() {
            let wanted = wantedForwarding(key)
            switch (forwarders[key], wanted) {
            case (nil, nil):
                continue
            case (.some, nil):
                forwarders[key] = nil
                actions.append(.stopForwarding(key))
            case (nil, .some(let wanted)):
                forwarders[key] = ForwardingState(forwarding: wanted)
                actions.append(.forward(wanted))
            case (.some(let existing), .some(let wanted)):
                guard existing.forwarding != wanted else { continue }
                var state = existing
                state.forwarding = wanted
                if existing.forwarding.internalClient != wanted.internalClient || existing.forwarding.interface != wanted.interface {
                    state.externalAddress = nil
                    state.ports = []
                }
                forwarders[key] = state
                actions.append(.forward(wanted))
            }
        }
        return actions
    }

    mutating func upnpReported(_ event: UPnPEvent) -> [AgentAction] {
        switch event {
        case .forwarded(let key, let gateway, let external, let ports, let lease):
            guard var state = forwarders[key] else { return [] }
            let before = state
            state.externalAddress = external
            state.ports = ports
            forwarders[key] = state
            guard state != before else { return [] }
            var actions: [AgentAction] = []
            if let external, !ports.isEmpty, Set(ports) != Set(before.ports) || external != before.externalAddress {
                let leaseText = lease == 0 ? "permanently" : "for \(lease) s, refreshed at half of it"
                actions.append(note(
                    key, warning: false, "UPnPPortsForwarded",
                    "the gateway \(gateway) forwards \(external) \(ports.map(\.description).joined(separator: ", ")) to \(state.forwarding.internalClient) (\(settings.nodeName), \(leaseText))"))
            }
            return actions + statusWrites(for: [key])
        case .problem(let key, let reason, let message):
            guard forwarders[key] != nil else { return [] }
            return [note(key, warning: true, reason, message)]
        }
    }
}
