import KubernetesClient
import KubernetesModels
import LeaderElection
import Logging
import NetworkAddresses
import NetworkDriver

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
    /// Advertisers told to withdraw that have not finished removing their address yet.
    private var withdrawing: [IPAddress: Set<Int>] = [:]
    /// Claims waiting for a withdrawing advertiser of the same address to finish.
    private var deferredClaims: [IPAddress: AddressClaim] = [:]

    private struct RunningElection {
        var id: Int
        var elector: LeaderElector
        var stop: Doorbell
    }
    private var elections: [LeaseKey: RunningElection] = [:]
    private var ending: [LeaseKey: Set<Int>] = [:]
    private var deferredCampaigns: Set<LeaseKey> = []
    private var leadingLeases: Set<LeaseKey> = []
    private var shuttingDown = false
    private var cleanedUp = false

    init(
        settings: AgentSettings, driver: any NetworkDriver, leaseStore: any LeaseStore, input: AsyncStream<LoopInput>.Continuation, events: EventSink,
        writer: StatusWriter, metrics: AgentMetrics, advertiserMetrics: AdvertiserMetrics, clock: ClientClock,
        status: AgentStatus, logger: Logger
    ) {
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
                }
                refreshGauges()
            case .addressChange(let change):
                await addressChanged(change)
            case .advertiserFinished(let address, let id):
                withdrawing[address]?.remove(id)
                if withdrawing[address]?.isEmpty == true { withdrawing[address] = nil }
                if advertisers[address]?.id == id { advertisers[address] = nil }
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
            case .shutdown:
                guard !shuttingDown else { continue }
                shuttingDown = true
                logger.info("shutting down: withdrawing every address, then releasing every Lease")
                deferredClaims = [:]
                deferredCampaigns = []
                for address in Array(advertisers.keys) { await withdraw(address) }
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
            if withdrawing[claim.address] != nil || advertisers[claim.address] != nil {
                deferredClaims[claim.address] = claim
                if advertisers[claim.address] != nil { await withdraw(claim.address) }
            } else {
                startAdvertiser(claim, in: &group)
            }
        case .withdraw(let address):
            deferredClaims[address] = nil
            await withdraw(address)
        case .writeStatus(let key, let ingress, let vipHost, let lease):
            // Only under a Lease this node still campaigns for; its fence then guards the write itself.
            guard let election = elections[lease] else { return }
            await writer.submit(StatusWriter.Write(key: key, ingress: ingress, vipHost: vipHost, fence: election.elector.fence))
        case .event(let key, let uid, let warning, let reason, let message):
            let object = ObjectReference(
                apiVersion: "v1", kind: "Service", namespace: key.namespace, name: key.name, uid: uid.isEmpty ? nil : uid)
            await events.post(
                EventSink.EventNote(object: object, type: warning ? .warning : .normal, reason: reason, message: message))
        }
    }

    /// The shutdown's order: every address removed first, then every Lease released, then the loop ends.
    private func continueShutdown() {
        guard shuttingDown, advertisers.isEmpty, withdrawing.isEmpty else { return }
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

    // MARK: - Elections

    private func startElection(_ lease: LeaseKey, in group: inout DiscardingTaskGroup) {
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

    private func endElection(_ lease: LeaseKey) {
        guard let running = elections.removeValue(forKey: lease) else { return }
        ending[lease, default: []].insert(running.id)
        running.stop.ring()
    }

    private func endAllElections() {
        for lease in Array(elections.keys) { endElection(lease) }
    }

    private func leadershipChanged(_ lease: LeaseKey, _ leadership: Leadership) {
        let leading = leadership == .leading
        metrics.leadership(lease, leading: leading)
        if leading ? leadingLeases.insert(lease).inserted : leadingLeases.remove(lease) != nil {
            metrics.transition(lease)
        }
    }

    private func refreshGauges() {
        metrics.addressesHeld.record(reconciler.heldCount)
        metrics.servicesServed.record(reconciler.servedCount)
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
