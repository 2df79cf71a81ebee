import DHCPClient
import KubernetesClient
import Logging
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Synchronization

/// The socket layer of one DHCP lease: creates the macvlan, runs the `DHCPClientMachine` over raw frames on it,
/// checks an acknowledged address with ARP before using it, and reports the lease to the agent's loop.
///
/// Every DHCP message travels as a whole Ethernet frame on an AF_PACKET socket bound to the macvlan, renewals
/// included, so no UDP port 68 is ever bound: a host's own DHCP client (or a second Service) holding that port
/// cannot break renewals, which is upstream's most reported DHCP failure. On `stop()` the lease is released
/// (DHCPRELEASE) and the macvlan deleted, which takes the address with it.
final class DHCPLeaseKeeper: Sendable {
    let claim: DHCPClaim
    private let driver: any NetworkDriver
    private let clock: ClientClock
    private let metrics: DHCPMetrics
    private let logger: Logger
    private let report: @Sendable (DHCPEvent) -> Void
    /// How long to wait before trying again after the macvlan or its socket could not be set up.
    private let retryPeriod: Duration
    /// `stop()` was called: the authority; the bell only wakes whoever waits.
    private let stopRequested = Mutex(false)
    private let stopBell = Doorbell()
    private let linkCheckBell = Doorbell()

    init(
        claim: DHCPClaim, driver: any NetworkDriver, clock: ClientClock, metrics: DHCPMetrics, retryPeriod: Duration = .seconds(5),
        logger: Logger, report: @escaping @Sendable (DHCPEvent) -> Void
    ) {
        self.claim = claim
        self.driver = driver
        self.clock = clock
        self.metrics = metrics
        self.retryPeriod = retryPeriod
        self.logger = logger
        self.report = report
    }

    /// Ends `run()`: releases the lease and deletes the macvlan.
    func stop() {
        stopRequested.withLock { $0 = true }
        stopBell.ring()
    }

    private var isStopRequested: Bool { stopRequested.withLock { $0 } }

    /// Something suggests the macvlan is gone (its address was removed): the keeper checks, and makes it again.
    /// A deleted link does not fail the socket (the kernel reports it like a link that went down), so this is
    /// how the keeper hears of it.
    func linkMayBeGone() {
        linkCheckBell.ring()
    }

    /// Runs until `stop()` (or cancellation). A macvlan deleted from under it (see `linkMayBeGone()`) is made
    /// again and the lease confirmed with INIT-REBOOT; its address stays claimed meanwhile, and its advertiser
    /// puts it back on the new link.
    func run() async {
        var remembered = claim.rememberedAddress
        while let link = await setUp() {
            switch await exchange(on: link, rememberedAddress: remembered) {
            case .stopped:
                do {
                    try await driver.deleteLink(link.index)
                    logger.debug("deleted macvlan \(claim.name)")
                } catch {
                    logger.warning("cannot delete macvlan \(claim.name): \(error)")
                }
                return
            case .socketFailed(let held):
                remembered = held ?? remembered
                if await stopped(within: retryPeriod) {
                    try? await driver.deleteLink(link.index)
                    return
                }
            case .linkGone(let held):
                remembered = held ?? remembered
            }
        }
    }

    // MARK: - The macvlan

    /// Creates (or adopts) the macvlan; nil when stopped before it could be made.
    private func setUp() async -> NetworkLink? {
        var reported: String?
        while true {
            let outcome = await makeMacvlan()
            switch outcome {
            case .success(let link):
                return link
            case .failure(let failure):
                if failure.reason != reported {
                    reported = failure.reason
                    logger.warning("cannot set up macvlan \(claim.name): \(failure.reason)")
                    report(.failed(name: claim.name, reason: failure.reason))
                }
            }
            if await stopped(within: retryPeriod) { return nil }
        }
    }

    private func makeMacvlan() async -> Result<NetworkLink, LinkUnavailable> {
        do {
            let links = try await driver.links()
            let addresses = try await driver.addresses()
            let parent: SelectedLink
            switch LinkSelection.parent(for: claim.parent, links: links, addresses: addresses) {
            case .success(let selected): parent = selected
            case .failure(let failure): return .failure(failure)
            }
            let link = try await driver.createMacvlan(
                name: claim.name, parent: parent.link.index, hardwareAddress: claim.hardwareAddress)
            try await driver.setReversePathFilter(claim.reversePathFilter, link: link.index)
            // An adopted macvlan (left by a killed run) may still carry an earlier lease's address, which the
            // kernel would keep answering for; the address leased now is added by its advertiser.
            for stale in addresses where stale.link == link.index && !stale.address.isIPv6LinkLocal {
                logger.notice("removing \(stale.address) left on macvlan \(claim.name) by an earlier run")
                try await driver.removeAddress(stale.address, prefixLength: stale.prefixLength, link: link.index)
            }
            logger.debug("macvlan \(claim.name) on \(parent.link.name) with \(claim.hardwareAddress)")
            return .success(link)
        } catch {
            return .failure(LinkUnavailable(reason: "\(error)"))
        }
    }

    /// Waits `duration` unless `stop()` comes first; true when it did.
    private func stopped(within duration: Duration) async -> Bool {
        // A cancelled task would return from every wait at once: treat it as stopped, never as "try again".
        guard !isStopRequested, !Task.isCancelled else { return true }
        await stopBell.wait(atMost: duration, on: clock)
        return isStopRequested || Task.isCancelled
    }

    // MARK: - The exchange

    private enum ExchangeEnd {
        case stopped
        /// The socket failed, holding this address if any: set up again after a pause.
        case socketFailed(held: IPAddress?)
        /// The macvlan was deleted from under the keeper: set it up again at once.
        case linkGone(held: IPAddress?)
    }

    private enum Input: Sendable {
        case frame([UInt8])
        case timer(generation: Int)
        case probed(IPAddress, conflict: MACAddress?)
        case captureFailed(String)
        case checkLink
        case stop
    }

    private func exchange(on link: NetworkLink, rememberedAddress: IPAddress?) async -> ExchangeEnd {
        let capture: any FrameCapture
        do {
            // Only DHCP client traffic: the macvlan also carries everything sent to the Service's address.
            capture = try await driver.capture(link: link.index, etherType: .ipv4, filter: .dhcpClient)
        } catch {
            report(.failed(name: claim.name, reason: "cannot open a socket on \(claim.name): \(error)"))
            return .socketFailed(held: nil)
        }
        let configuration = DHCPClientConfiguration(
            hardwareAddress: claim.hardwareAddress, hostName: claim.hostName, broadcast: claim.broadcast,
            rememberedAddress: rememberedAddress)
        var machine = DHCPClientMachine(configuration: configuration, seed: UInt64.random(in: .min ... .max))
        let (inputs, input) = AsyncStream.makeStream(of: Input.self)
        var end = ExchangeEnd.stopped
        await withDiscardingTaskGroup { group in
            group.addTask {
                // Frames are read by their own task so that timers and the stop request never wait behind a read.
                while !Task.isCancelled {
                    do {
                        if let frame = try await capture.next(timeout: .seconds(1)) { input.yield(.frame(frame)) }
                    } catch {
                        input.yield(.captureFailed("\(error)"))
                        return
                    }
                }
            }
            let bell = stopBell
            group.addTask {
                await bell.wait()
                if self.isStopRequested { input.yield(.stop) }
            }
            let linkCheck = linkCheckBell
            linkCheck.reset()
            group.addTask {
                while !Task.isCancelled {
                    await linkCheck.wait()
                    if !Task.isCancelled { input.yield(.checkLink) }
                }
            }
            var generation = 0
            var armed: Duration?
            var held: IPAddress?
            let linkIndex = link.index
            func apply(_ actions: [DHCPClientAction], group: inout DiscardingTaskGroup) async {
                for action in actions {
                    await perform(action, machine: machine, link: linkIndex, held: &held, group: &group, input: input)
                }
                // One timer for the machine's current deadline; a superseded one fires with a stale generation.
                if machine.deadline != armed {
                    armed = machine.deadline
                    generation += 1
                    if let deadline = machine.deadline {
                        let mine = generation
                        let clock = self.clock
                        group.addTask {
                            try? await clock.sleep(for: deadline - clock.now)
                            input.yield(.timer(generation: mine))
                        }
                    }
                }
            }
            await apply(machine.handle(.start, now: clock.now), group: &group)
            for await next in inputs {
                switch next {
                case .frame(let bytes):
                    guard let (message, peer) = decode(bytes) else { continue }
                    await apply(machine.handle(.received(message, from: peer), now: clock.now), group: &group)
                case .timer(let fired):
                    guard fired == generation else { continue }
                    armed = nil
                    await apply(machine.handle(.timer, now: clock.now), group: &group)
                case .probed(let address, let conflict):
                    if let conflict {
                        metrics.leaseEvent("declined")
                        logger.warning("\(claim.name): \(address) is in use by \(conflict); declining it")
                        report(.declined(name: claim.name, address: address, owner: conflict))
                    }
                    await apply(machine.handle(.probeResult(address, conflict: conflict), now: clock.now), group: &group)
                case .captureFailed(let reason):
                    // No RELEASE: the lease is still this Service's, and the next socket confirms it.
                    logger.warning("\(claim.name): its socket failed (\(reason)); setting the macvlan up again")
                    report(.failed(name: claim.name, reason: "the socket on \(claim.name) failed: \(reason)"))
                    end = .socketFailed(held: held)
                    input.finish()
                case .checkLink:
                    guard let links = try? await driver.links(), !links.contains(where: { $0.index == link.index }) else {
                        continue
                    }
                    logger.warning("\(claim.name) was deleted; setting it up again")
                    end = .linkGone(held: held)
                    input.finish()
                case .stop:
                    await apply(machine.handle(.release, now: clock.now), group: &group)
                    input.finish()
                }
            }
            group.cancelAll()
        }
        await capture.close()
        return end
    }

    private func perform(
        _ action: DHCPClientAction, machine: DHCPClientMachine, link: Int32, held: inout IPAddress?,
        group: inout DiscardingTaskGroup, input: AsyncStream<Input>.Continuation
    ) async {
        switch action {
        case .send(let message, let source, let destination):
            let (destinationIP, destinationMAC): (IPAddress, MACAddress) =
                switch destination {
                case .broadcast: (.ipv4Broadcast, .broadcast)
                case .unicast(let address, let mac): (address, mac)
                }
            let frame = DHCPFrame.encode(
                message, sourceHardwareAddress: claim.hardwareAddress, destinationHardwareAddress: destinationMAC,
                source: source, destination: destinationIP)
            let type = message.options.messageType?.shortName ?? "unknown"
            do {
                try await driver.send(frame: frame, link: link)
                metrics.sent(type, state: machine.state.rawValue)
                logger.debug("sent \(message.options.messageType.map { "\($0)" } ?? "DHCP") to \(destinationIP) (\(machine.state.rawValue))")
            } catch {
                // A lost send is a lost packet: the machine's retransmission covers it.
                logger.warning("cannot send a DHCP message on \(claim.name): \(error)")
            }
        case .probe(let address):
            let driver = self.driver
            let mac = claim.hardwareAddress
            let clock = self.clock
            group.addTask {
                let conflict = await Self.probe(address, from: mac, link: link, driver: driver, clock: clock)
                input.yield(.probed(address, conflict: conflict))
            }
        case .bound(let lease):
            let renewed = held == lease.address
            held = lease.address
            metrics.leaseEvent(renewed ? "renewed" : "bound")
            if renewed {
                logger.debug("\(claim.name): \(lease.address) renewed for \(lease.leaseTime) (\(machine.state.rawValue))")
            } else {
                logger.info("\(claim.name): leased \(lease.address) from \(lease.serverIdentifier) for \(lease.leaseTime)")
            }
            report(.bound(name: claim.name, address: lease.address, server: lease.serverIdentifier, leaseTime: lease.leaseTime))
        case .lost(let address, let reason):
            if held == address { held = nil }
            metrics.leaseEvent(reason == "released" ? "released" : "lost")
            logger.notice("\(claim.name): no longer holds \(address): \(reason)")
            report(.lost(name: claim.name, address: address, reason: reason))
        case .ignored(let reason):
            metrics.dropped(reason)
            logger.trace("\(claim.name): ignored a DHCP message: \(reason)")
        }
    }

    /// A received frame as a DHCP reply for a client on this macvlan; nil for other traffic and for
    /// malformed DHCP (counted).
    private func decode(_ bytes: [UInt8]) -> (DHCPMessage, DHCPPeer)? {
        let received: DHCPFrame.Received
        do throws(FrameDecodingError) {
            received = try DHCPFrame.decode(bytes)
        } catch {
            if case .notDHCPClientTraffic = error { return nil }
            metrics.dropped("malformed")
            logger.debug("\(claim.name): dropped a malformed DHCP frame: \(error)")
            return nil
        }
        guard received.sourcePort == DHCPFrame.serverPort else {
            // Port 68 is where clients listen, but only servers and relays send from 67.
            metrics.dropped("not-from-server-port")
            return nil
        }
        metrics.received(received.message.options.messageType?.shortName ?? "unknown")
        return (received.message, DHCPPeer(hardwareAddress: received.sourceHardwareAddress, address: received.source))
    }

    /// RFC 5227's check before using an address, shortened as the advertiser's is: two probes 100 ms apart and
    /// 200 ms of listening. A reply from this macvlan's own MAC is not a conflict: it is this Service's macvlan
    /// left on a node that was cut off, which is the reason the same MAC follows the lease.
    static func probe(
        _ address: IPAddress, from hardwareAddress: MACAddress, link: Int32, driver: any NetworkDriver, clock: ClientClock
    ) async -> MACAddress? {
        guard let capture = try? await driver.capture(link: link, etherType: .arp) else { return nil }
        let frame = AdvertiserFrames.probe(for: address, from: hardwareAddress)
        var conflict: MACAddress?
        let deadline = clock.now + .milliseconds(400)
        var nextProbe = clock.now
        var probesLeft = 2
        while conflict == nil, clock.now < deadline {
            if probesLeft > 0, clock.now >= nextProbe {
                try? await driver.send(frame: frame, link: link)
                probesLeft -= 1
                nextProbe = clock.now + .milliseconds(100)
            }
            let until = probesLeft > 0 ? nextProbe : deadline
            guard let bytes = try? await capture.next(timeout: max(.milliseconds(1), until - clock.now)) else { continue }
            if case .conflict(let owner) = ProbeObservation.judge(bytes, probingFor: address, ownHardwareAddress: hardwareAddress) {
                conflict = owner
            }
        }
        await capture.close()
        return conflict
    }
}
