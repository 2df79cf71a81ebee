import IPAM
import KubeVipConventions
import KubernetesClient
import KubernetesModels
import LeaderElection
import Logging
import NetworkAddresses
import NetworkDriver
import UPnP

/// Carries out the reconciler's decisions: starts and stops elections and advertisers as children of the
/// agent's task group, hands writes and Events over, and sequences the hand-overs that must not overlap
/// (an address is added again only after its previous advertiser removed it; a Lease is campaigned for again
/// only after its previous election released it).
final class AgentLoop {
    private let settings: AgentSettings
    private let driver: any NetworkDriver
    private let leaseStore: any LeaseStore
    private let input: AsyncStream<LoopInput>.Continuation
    private let events: EventSink
    private let writer: StatusWriter
    private let metrics: AgentMetrics
    private let advertiserMetrics: AdvertiserMetrics
    private let clock: ClientClock
    private let status: AgentStatus
    private let logger: Logger

    private var reconciler: AgentReconciler
    private var nextID = 0

    private struct RunningAdvertiser {
        var id: Int
        var advertiser: AddressAdvertiser
    }
    private var advertisers: [IPAddress: RunningAdvertiser] = [:]
    /// The claim of every advertiser still running (held or withdrawing), by id: a macvlan is deleted only after
    /// the advertisers of its addresses are done with it.
    private var advertiserClaims: [Int: AddressClaim] = [:]
    /// Advertisers told to withdraw that have not finished removing their address yet.
    private var withdrawing: [IPAddress: Set<Int>] = [:]
    /// Claims waiting for a withdrawing advertiser of the same address to finish.
    private var deferredClaims: [IPAddress: AddressClaim] = [:]

    private struct RunningElection {
        var id: Int
        var elector: LeaderElector
        var stop: Doorbell
    }
    private var elections: [LeaseName: RunningElection] = [:]
    private var ending: [LeaseName: Set<Int>] = [:]
    private var deferredCampaigns: Set<LeaseName> = []

    private struct RunningKeeper {
        var id: Int
        var keeper: DHCPLeaseKeeper
    }
    private var keepers: [String: RunningKeeper] = [:]
    /// Keepers told to stop (or waiting to be told, behind an advertiser) that have not finished yet.
    private var stoppingKeepers: [String: RunningKeeper] = [:]
    /// Stops waiting for the advertisers on the macvlan to remove their addresses.
    private var pendingKeeperStops: Set<String> = []
    /// Claims waiting for the previous keeper of the same macvlan to finish.
    private var deferredKeepers: [String: DHCPClaim] = [:]
    private let dhcpMetrics: DHCPMetrics

    private struct RunningForwarder {
        var id: Int
        var forwarder: PortForwarder
    }
    /// Nil when UPnP is off (or no gateway client was given).
    private let upnp: UPnPContext?
    private var forwarders: [ServiceKey: RunningForwarder] = [:]
    private struct StoppingForwarder {
        var service: ServiceKey
        var client: IPAddress
    }
    /// Forwarders deleting their mappings, by id.
    private var stoppingForwarders: [Int: StoppingForwarder] = [:]
    /// Forwardings waiting for the previous forwarder of the same Service to finish deleting: it deletes only
    /// what carries this node's description, which a new forwarder's fresh mappings would too.
    private var deferredForwardings: [ServiceKey: PortForwarding] = [:]
    /// Withdrawals waiting for a stopping forwarder of the address: the gateway must hear the deletion from it.
    private var deferredWithdrawals: Set<IPAddress> = []
    /// The address each withdrawal timer is for.
    private var withdrawalTimers: [Int: IPAddress] = [:]
    private var leadingLeases: Set<LeaseName> = []
    private var shuttingDown = false
    private var cleanedUp = false

    init(
        settings: AgentSettings, driver: any NetworkDriver, leaseStore: any LeaseStore, input: AsyncStream<LoopInput>.Continuation, events: EventSink,
        writer: StatusWriter, metrics: AgentMetrics, advertiserMetrics: AdvertiserMetrics, dhcpMetrics: DHCPMetrics,
        upnp: UPnPContext? = nil, clock: ClientClock, status: AgentStatus, logger: Logger
    ) {
        self.upnp = upnp
        self.settings = settings
        self.driver = driver
        self.leaseStore = leaseStore
        self.input = input
        self.events = events
        self.writer = writer
        self.metrics = metrics
        self.advertiserMetrics = advertiserMetrics
        self.clock = clock
        self.status = status
        self.logger = logger
        self.dhcpMetrics = dhcpMetrics
        reconciler = AgentReconciler(settings: settings)
    }

    /// Runs until a graceful shutdown has withdrawn every address and released every Lease (or the task is
    /// cancelled).
    func run(_ inputs: AsyncStream<LoopInput>, in group: inout DiscardingTaskGroup) async {
        if let lease = reconciler.globalLease {
            startElection(lease, in: &group)
        }
        for await next in inputs {
            switch next {
            case .agent(let agentInput):
                let wasSynced = reconciler.isSynced
                let actions = reconciler.apply(agentInput)
                if case .advertiser(let event) = agentInput { log(event) }
                if case .leadership(let lease, let leadership) = agentInput { leadershipChanged(lease, leadership) }
                if !shuttingDown {
                    for action in actions { await perform(action, in: &group) }
                }
                if !wasSynced, reconciler.isSynced {
                    status.markReady()
                    logger.info("watches synced; serving", metadata: ["node": "\(settings.nodeName)"])
                    await removeLeftoverAddresses()
                    await removeLeftoverMacvlans()
                }
                refreshGauges()
            case .addressChange(let change):
                await addressChanged(change)
            case .advertiserFinished(let address, let id):
                withdrawing[address]?.remove(id)
                if withdrawing[address]?.isEmpty == true { withdrawing[address] = nil }
                if advertisers[address]?.id == id { advertisers[address] = nil }
                advertiserClaims[id] = nil
                for name in pendingKeeperStops.sorted() where !advertiserClaims.values.contains(where: { $0.interface == .named(name) }) {
                    pendingKeeperStops.remove(name)
                    stoppingKeepers[name]?.keeper.stop()
                }
                if withdrawing[address] == nil, let claim = deferredClaims.removeValue(forKey: address), !shuttingDown {
                    startAdvertiser(claim, in: &group)
                }
                continueShutdown()
            case .electionEnded(let lease, let id):
                ending[lease]?.remove(id)
                if ending[lease]?.isEmpty == true { ending[lease] = nil }
                if elections[lease]?.id == id { elections[lease] = nil }
                if ending[lease] == nil, deferredCampaigns.remove(lease) != nil, !shuttingDown {
                    startElection(lease, in: &group)
                }
                continueShutdown()
            case .leaseChanged(let lease):
                elections[lease]?.elector.nudge()
            case .dhcp(let event, let id):
                guard keepers[event.name]?.id == id else { continue }
                let actions = reconciler.apply(.dhcp(event))
                if !shuttingDown {
                    for action in actions { await perform(action, in: &group) }
                }
                refreshGauges()
            case .keeperFinished(let name, let id):
                if stoppingKeepers[name]?.id == id { stoppingKeepers[name] = nil }
                if keepers[name]?.id == id { keepers[name] = nil }
                if stoppingKeepers[name] == nil, let claim = deferredKeepers.removeValue(forKey: name), !shuttingDown {
                    startKeeper(claim, in: &group)
                }
                continueShutdown()
            case .upnp(let event, let id):
                guard forwarders[event.service]?.id == id else { continue }
                let actions = reconciler.apply(.upnp(event))
                if !shuttingDown {
                    for action in actions { await perform(action, in: &group) }
                }
                refreshGauges()
            case .forwarderFinished(let key, let id):
                stoppingForwarders[id] = nil
                if forwarders[key]?.id == id { forwarders[key] = nil }
                if !stoppingForwarders.values.contains(where: { $0.service == key }),
                    let forwarding = deferredForwardings.removeValue(forKey: key), !shuttingDown
                {
                    startForwarder(forwarding, in: &group)
                }
                let unblocked = deferredWithdrawals.filter { address in
                    !stoppingForwarders.values.contains { $0.client == address }
                }
                deferredWithdrawals.subtract(unblocked)
                for address in unblocked.sorted() { await withdraw(address) }
                continueShutdown()
            case .withdrawalDue(let id):
                // The forwarder is taking too long (an unreachable gateway): the address goes anyway, so that a
                // lost Lease never leaves it answering beside the next holder.
                if let address = withdrawalTimers.removeValue(forKey: id), deferredWithdrawals.remove(address) != nil {
                    await withdraw(address)
                }
            case .shutdown:
                guard !shuttingDown else { continue }
                shuttingDown = true
                logger.info("shutting down: deleting UPnP mappings, withdrawing every address, then releasing every Lease")
                deferredClaims = [:]
                deferredCampaigns = []
                deferredKeepers = [:]
                deferredForwardings = [:]
                for key in Array(forwarders.keys) { stopForwarder(key) }
                for address in Array(advertisers.keys) { await withdrawWhenUnmapped(address, in: &group) }
                // Each releases its lease and deletes its macvlan once its address is off it.
                for name in Array(keepers.keys) { stopKeeper(name) }
                continueShutdown()
            }
        }
    }

    private func perform(_ action: AgentAction, in group: inout DiscardingTaskGroup) async {
        switch action {
        case .campaign(let lease):
            if ending[lease] != nil {
                deferredCampaigns.insert(lease)
            } else if elections[lease] == nil {
                startElection(lease, in: &group)
            }
        case .resign(let lease):
            deferredCampaigns.remove(lease)
            endElection(lease)
        case .claim(let claim, _):
            deferredWithdrawals.remove(claim.address)
            if withdrawing[claim.address] != nil || advertisers[claim.address] != nil {
                deferredClaims[claim.address] = claim
                if advertisers[claim.address] != nil { await withdraw(claim.address) }
            } else {
                startAdvertiser(claim, in: &group)
            }
        case .withdraw(let address):
            deferredClaims[address] = nil
            await withdrawWhenUnmapped(address, in: &group)
        case .writeStatus(let key, let ingress, let annotations, let lease):
            // Only under a Lease this node still campaigns for; its fence then guards the write itself.
            guard let election = elections[lease] else { return }
            await writer.submit(
                StatusWriter.Write(key: key, ingress: ingress, annotations: annotations, fence: election.elector.fence))
        case .startDHCP(let claim, _):
            if keepers[claim.name] != nil || stoppingKeepers[claim.name] != nil {
                deferredKeepers[claim.name] = claim
                stopKeeper(claim.name)
            } else {
                startKeeper(claim, in: &group)
            }
        case .stopDHCP(let name):
            deferredKeepers[name] = nil
            stopKeeper(name)
        case .forward(let forwarding):
            if let running = forwarders[forwarding.service] {
                running.forwarder.update(forwarding)
            } else if stoppingForwarders.values.contains(where: { $0.service == forwarding.service }) {
                deferredForwardings[forwarding.service] = forwarding
            } else {
                startForwarder(forwarding, in: &group)
            }
        case .stopForwarding(let key):
            deferredForwardings[key] = nil
            stopForwarder(key)
        case .event(let key, let uid, let warning, let reason, let message):
            let object = ObjectReference(
                apiVersion: "v1", kind: "Service", namespace: key.namespace, name: key.name, uid: uid.isEmpty ? nil : uid)
            await events.post(
                EventSink.EventNote(object: object, type: warning ? .warning : .normal, reason: reason, message: message))
        }
    }

    /// The shutdown's order: every UPnP mapping deleted (from its address, so within the deletion budget), every
    /// address removed and every DHCP lease released, then every Lease released, then the loop ends.
    private func continueShutdown() {
        guard shuttingDown, advertisers.isEmpty, withdrawing.isEmpty, keepers.isEmpty, stoppingKeepers.isEmpty,
            forwarders.isEmpty, stoppingForwarders.isEmpty
        else { return }
        endAllElections()
        if elections.isEmpty, ending.isEmpty { input.finish() }
    }

    // MARK: - Advertisers

    private func startAdvertiser(_ claim: AddressClaim, in group: inout DiscardingTaskGroup) {
        nextID += 1
        let id = nextID
        let input = self.input
        var advertiserLogger = logger
        advertiserLogger[metadataKey: "address"] = "\(claim.address)"
        let advertiser = AddressAdvertiser(
            claim: claim, driver: driver, schedule: .standard(period: settings.announcementPeriod), clock: clock,
            metrics: advertiserMetrics, logger: advertiserLogger
        ) { event in
            input.yield(.agent(.advertiser(event)))
        }
        advertisers[claim.address] = RunningAdvertiser(id: id, advertiser: advertiser)
        advertiserClaims[id] = claim
        group.addTask {
            await advertiser.run()
            input.yield(.advertiserFinished(claim.address, id: id))
        }
    }

    private func withdraw(_ address: IPAddress) async {
        guard let running = advertisers.removeValue(forKey: address) else { return }
        withdrawing[address, default: []].insert(running.id)
        await running.advertiser.withdraw()
    }

    /// The kernel's view of addresses: put back what someone removed from under an advertiser.
    private func addressChanged(_ change: AddressChange) async {
        switch change {
        case .added:
            return
        case .removed(let removed):
            guard let running = advertisers[removed.address] else { return }
            // A DHCP address goes when its macvlan is deleted; the keeper then makes the macvlan again.
            if case .named(let name) = advertiserClaims[running.id]?.interface, let keeper = keepers[name] {
                keeper.keeper.linkMayBeGone()
            }
            await running.advertiser.addressRemoved()
        case .overrun:
            logger.notice("address notifications were lost; checking every held address")
            guard let present = try? await driver.addresses() else { return }
            let addresses = Set(present.map(\.address))
            for (address, running) in advertisers where !addresses.contains(address) {
                await running.advertiser.addressRemoved()
            }
        }
    }

    /// A previous run of this agent killed without a chance to clean up (SIGKILL, OOM) leaves its VIPs on
    /// the interface, where the kernel keeps answering ARP for them against the node that took over. At the
    /// first full view, remove every host-sized address that is some Service's VIP but not held here.
    private func removeLeftoverAddresses() async {
        guard !cleanedUp else { return }
        cleanedUp = true
        let requested = reconciler.requestedAddresses
        guard !requested.isEmpty, let present = try? await driver.addresses() else { return }
        for address in present where requested.contains(address.address) && advertisers[address.address] == nil {
            let hostLength = address.address.family == .ipv4 ? 32 : 128
            guard address.prefixLength == hostLength else { continue }
            logger.notice("removing \(address.address) left on link #\(address.link) by an earlier run; this node does not hold it")
            do {
                try await driver.removeAddress(address.address, prefixLength: hostLength, link: address.link)
            } catch {
                logger.warning("cannot remove leftover \(address.address): \(error)")
            }
        }
    }

    // MARK: - DHCP lease keepers

    private func startKeeper(_ claim: DHCPClaim, in group: inout DiscardingTaskGroup) {
        nextID += 1
        let id = nextID
        let input = self.input
        var keeperLogger = logger
        keeperLogger[metadataKey: "macvlan"] = "\(claim.name)"
        let keeper = DHCPLeaseKeeper(
            claim: claim, driver: driver, clock: clock, metrics: dhcpMetrics, logger: keeperLogger
        ) { event in
            input.yield(.dhcp(event, id: id))
        }
        keepers[claim.name] = RunningKeeper(id: id, keeper: keeper)
        group.addTask {
            await keeper.run()
            input.yield(.keeperFinished(claim.name, id: id))
        }
    }

    /// Stops the keeper once no advertiser uses its macvlan any more (the `.withdraw` of its address comes first).
    private func stopKeeper(_ name: String) {
        guard let running = keepers.removeValue(forKey: name) else { return }
        stoppingKeepers[name] = running
        if advertiserClaims.values.contains(where: { $0.interface == .named(name) }) {
            pendingKeeperStops.insert(name)
        } else {
            running.keeper.stop()
        }
    }

    /// A macvlan of a DHCP Service this node does not serve, left by a killed earlier run: it still answers ARP
    /// for its address with the Service's MAC, so it goes before another node (or this one) leases it again.
    private func removeLeftoverMacvlans() async {
        let names = reconciler.requestedMacvlans
        guard !names.isEmpty, let links = try? await driver.links() else { return }
        for link in links where link.kind == "macvlan" && names.contains(link.name) && keepers[link.name] == nil {
            logger.notice("removing macvlan \(link.name) left by an earlier run; this node does not hold its lease")
            do {
                try await driver.deleteLink(link.index)
            } catch {
                logger.warning("cannot remove leftover macvlan \(link.name): \(error)")
            }
        }
    }

    // MARK: - UPnP port forwarders

    private func startForwarder(_ forwarding: PortForwarding, in group: inout DiscardingTaskGroup) {
        guard let upnp else { return }
        nextID += 1
        let id = nextID
        let input = self.input
        var forwarderLogger = logger
        forwarderLogger[metadataKey: "service"] = "\(forwarding.service)"
        let forwarder = PortForwarder(
            forwarding: forwarding, gateways: upnp.gateways, control: upnp.control, clock: clock, metrics: upnp.metrics,
            schedule: upnp.schedule, logger: forwarderLogger
        ) { event in
            input.yield(.upnp(event, id: id))
        }
        forwarders[forwarding.service] = RunningForwarder(id: id, forwarder: forwarder)
        group.addTask {
            await forwarder.run()
            input.yield(.forwarderFinished(forwarding.service, id: id))
        }
    }

    private func stopForwarder(_ key: ServiceKey) {
        guard let running = forwarders.removeValue(forKey: key) else { return }
        stoppingForwarders[running.id] = StoppingForwarder(service: key, client: running.forwarder.forwarding.internalClient)
        running.forwarder.stop()
    }

    /// Withdraws the address once no stopping forwarder needs it to delete its mappings from, or after the
    /// forwarders' deletion budget at the latest.
    private func withdrawWhenUnmapped(_ address: IPAddress, in group: inout DiscardingTaskGroup) async {
        guard let upnp, stoppingForwarders.values.contains(where: { $0.client == address }) else {
            await withdraw(address)
            return
        }
        guard deferredWithdrawals.insert(address).inserted else { return }
        nextID += 1
        let id = nextID
        withdrawalTimers[id] = address
        let input = self.input
        let clock = self.clock
        let limit = upnp.schedule.deletionBudget
        // The timer names the address by an id: with this toolchain (6.3.1, Linux) a child task that captures an
        // `IPAddress` and awaits `ClientClock.sleep` crashes (a jump to null); either alone does not.
        group.addTask {
            try? await clock.sleep(for: limit)
            input.yield(.withdrawalDue(id: id))
        }
    }

    // MARK: - Elections

    private func startElection(_ lease: LeaseName, in group: inout DiscardingTaskGroup) {
        nextID += 1
        let id = nextID
        var electionLogger = logger
        electionLogger[metadataKey: "lease"] = "\(lease)"
        let elector = LeaderElector(
            configuration: settings.electionConfiguration(namespace: lease.namespace, name: lease.name),
            store: leaseStore, clock: clock, logger: electionLogger)
        let stop = Doorbell()
        elections[lease] = RunningElection(id: id, elector: elector, stop: stop)
        let input = self.input
        group.addTask {
            await withDiscardingTaskGroup { inner in
                inner.addTask { await elector.run() }
                inner.addTask {
                    for await leadership in elector.changes {
                        input.yield(.agent(.leadership(lease, leadership)))
                    }
                }
                await stop.wait()
                inner.cancelAll()
            }
            await elector.release()
            input.yield(.electionEnded(lease, id: id))
        }
    }

    private func endElection(_ lease: LeaseName) {
        guard let running = elections.removeValue(forKey: lease) else { return }
        ending[lease, default: []].insert(running.id)
        running.stop.ring()
    }

    private func endAllElections() {
        for lease in Array(elections.keys) { endElection(lease) }
    }

    private func leadershipChanged(_ lease: LeaseName, _ leadership: Leadership) {
        let leading = leadership == .leading
        metrics.leadership(lease, leading: leading)
        if leading ? leadingLeases.insert(lease).inserted : leadingLeases.remove(lease) != nil {
            metrics.transition(lease)
        }
    }

    private func refreshGauges() {
        metrics.addressesHeld.record(reconciler.heldCount)
        metrics.servicesServed.record(reconciler.servedCount)
        metrics.dhcpLeases.record(reconciler.dhcpLeaseCount)
        metrics.upnpMappings.record(reconciler.upnpMappingCount)
    }

    private func log(_ event: AdvertiserEvent) {
        switch event {
        case .held(let address, let link):
            logger.debug("holding \(address) on \(link.name)")
        case .conflict(let address, let owner, let link):
            logger.warning("\(address) is in use by \(owner) on \(link.name); not announcing it")
        case .noLink(let address, let reason):
            logger.warning("no interface for \(address): \(reason)")
        case .failed(let address, let reason):
            logger.warning("cannot hold \(address): \(reason)")
        case .released(let address):
            logger.debug("released \(address)")
        }
    }
}
