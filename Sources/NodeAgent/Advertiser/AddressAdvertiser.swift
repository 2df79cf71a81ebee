import KubernetesClient
import Logging
import NetworkAddresses
import NetworkDriver
import NetworkFrames

/// Puts one address on this node's link and keeps neighbours pointed at it, for as long as the node is
/// responsible for it: probe for another owner (unless the address is taken over from a peer), add it,
/// announce at once, in a short burst and then every period, put it back if someone removes it, and
/// remove it when withdrawn or cancelled.
///
/// Every wait is on the injected clock, so tests run the whole life cycle in virtual time; commands wake
/// the waits at once through a `Doorbell`, never at the next tick.
actor AddressAdvertiser {
    private let claim: AddressClaim
    private let driver: any NetworkDriver
    private let schedule: AnnouncementSchedule
    private let clock: ClientClock
    private let metrics: AdvertiserMetrics
    private let logger: Logger
    private let report: @Sendable (AdvertiserEvent) -> Void
    private let doorbell = Doorbell()

    private var started = false
    private var withdrawn = false
    private var readdRequested = false
    /// The link the address is on, while this advertiser has it there.
    private var heldLink: SelectedLink?
    /// Inside a conflict episode: reported once when it starts, quietly re-probed until it ends.
    private var inConflict = false
    /// The last "no link" reason reported, so that a link that stays missing is reported once.
    private var reportedNoLinkReason: String?
    /// Sends are failing; reported once until one succeeds again.
    private var announcementsFailing = false

    init(
        claim: AddressClaim, driver: any NetworkDriver, schedule: AnnouncementSchedule, clock: ClientClock,
        metrics: AdvertiserMetrics, logger: Logger, report: @escaping @Sendable (AdvertiserEvent) -> Void
    ) {
        self.claim = claim
        self.driver = driver
        self.schedule = schedule
        self.clock = clock
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "vip"] = "\(claim.address)"
        self.logger = logger
        self.report = report
    }

    var isHeld: Bool { heldLink != nil }

    /// Serves the claim until `withdraw()` or cancellation, then removes the address and reports
    /// `released`. Call it once; a second call returns at once.
    func run() async {
        guard !started else { return }
        started = true
        await serve()
        // Reached when cancelled too: driver calls do not observe cancellation, so the removal still runs.
        await release()
    }

    /// Stops announcing and makes `run()` remove the address and return.
    func withdraw() {
        withdrawn = true
        doorbell.ring()
    }

    /// The kernel reported the address gone from its link (an operator, a network manager or another
    /// agent removed it): put it back and announce at once. Ignored while the address is not held, which
    /// includes the notification of this advertiser's own removal.
    func addressRemoved() {
        guard heldLink != nil, !withdrawn else { return }
        readdRequested = true
        doorbell.ring()
    }

    // MARK: The life cycle

    private var shouldStop: Bool { withdrawn || Task.isCancelled }
    private var period: Duration { schedule.effectivePeriod }

    private func serve() async {
        // Once the probe found the address free (or it was handed over), later re-adds skip probing: this
        // node is then the rightful owner, and probing would only delay its recovery.
        var ownershipSettled = claim.takeOver || schedule.probes <= 0
        while !shouldStop {
            guard let selected = await chooseLink() else {
                await pause(for: period)
                continue
            }
            if !ownershipSettled {
                switch await probe(on: selected) {
                case .free:
                    ownershipSettled = true
                    if inConflict {
                        inConflict = false
                        logger.info("the address is free now", metadata: ["link": "\(selected.link)"])
                    }
                case .conflict(let owner):
                    noteConflict(owner: owner, on: selected.link)
                    await pause(for: schedule.effectiveConflictRetry)
                    continue
                case .failed(let doing, let error):
                    fail(doing, error)
                    await pause(for: period)
                    continue
                case .stopped:
                    continue
                }
            }
            do throws(NetworkDriverError) {
                try await driver.addAddress(
                    claim.address, prefixLength: claim.prefixLength, link: selected.link.index)
            } catch {
                fail("adding the address to \(selected.link)", error)
                await pause(for: period)
                continue
            }
            heldLink = selected
            if await hold(on: selected) == .stopped { return }
            await pause(for: period)
        }
    }

    private func chooseLink() async -> SelectedLink? {
        let links: [NetworkLink]
        let addresses: [LinkAddress]
        do throws(NetworkDriverError) {
            links = try await driver.links()
            addresses = claim.interface == .auto ? try await driver.addresses() : []
        } catch {
            fail("reading the links", error)
            return nil
        }
        switch LinkSelection.select(claim.interface, for: claim.address, links: links, addresses: addresses) {
        case .success(let selected):
            reportedNoLinkReason = nil
            return selected
        case .failure(let unavailable):
            if unavailable.reason != reportedNoLinkReason {
                reportedNoLinkReason = unavailable.reason
                logger.warning(
                    "no link to announce the address on; retrying every period",
                    metadata: ["reason": "\(unavailable.reason)"])
                report(.noLink(claim.address, reason: unavailable.reason))
            }
            return nil
        }
    }

    private func noteConflict(owner: MACAddress, on link: NetworkLink) {
        guard !inConflict else {
            logger.debug("the address is still in use", metadata: ["owner": "\(owner)", "link": "\(link)"])
            return
        }
        inConflict = true
        metrics.addressConflicts.increment()
        logger.warning(
            "another host answers for the address; not taking it until it stops",
            metadata: ["owner": "\(owner)", "link": "\(link)"])
        report(.conflict(claim.address, owner: owner, link: link))
    }

    private func fail(_ doing: String, _ error: NetworkDriverError) {
        let reason = "\(doing): \(error)"
        logger.warning("network operation failed; retrying after a period", metadata: ["reason": "\(reason)"])
        report(.failed(claim.address, reason: reason))
    }

    private func release() async {
        if let selected = heldLink {
            heldLink = nil
            do throws(NetworkDriverError) {
                try await driver.removeAddress(
                    claim.address, prefixLength: claim.prefixLength, link: selected.link.index)
            } catch {
                fail("removing the address from \(selected.link)", error)
            }
        }
        logger.info("released the address")
        report(.released(claim.address))
    }

    // MARK: Probing

    private enum ProbeOutcome {
        case free
        case conflict(MACAddress)
        case failed(String, NetworkDriverError)
        case stopped
    }

    private func probe(on selected: SelectedLink) async -> ProbeOutcome {
        let etherType: EtherType = claim.address.family == .ipv4 ? .arp : .ipv6
        let capture: any FrameCapture
        do throws(NetworkDriverError) {
            // Opened before the first probe goes out, so that no answer can arrive unheard.
            capture = try await driver.capture(link: selected.link.index, etherType: etherType)
        } catch {
            return .failed("listening on \(selected.link)", error)
        }
        let outcome = await probe(on: selected, listeningOn: capture)
        await capture.close()
        return outcome
    }

    private func probe(on selected: SelectedLink, listeningOn capture: any FrameCapture) async -> ProbeOutcome {
        let frame = AdvertiserFrames.probe(for: claim.address, from: selected.hardwareAddress)
        let rounds = schedule.probes
        guard rounds > 0 else { return .free }
        for round in 1...rounds {
            if shouldStop { return .stopped }
            do throws(NetworkDriverError) {
                try await driver.send(frame: frame, link: selected.link.index)
            } catch {
                return .failed("probing on \(selected.link)", error)
            }
            logger.debug("probe sent", metadata: ["link": "\(selected.link)", "probe": "\(round)/\(rounds)"])
            let window = round < rounds ? schedule.probeInterval : schedule.probeWait
            do throws(NetworkDriverError) {
                let deadline = clock.now + window
                let owner = try await listen(
                    on: capture, until: deadline, ownHardwareAddress: selected.hardwareAddress)
                if let owner { return .conflict(owner) }
            } catch {
                return .failed("listening on \(selected.link)", error)
            }
        }
        return shouldStop ? .stopped : .free
    }

    /// The owner of the first conflicting frame heard before `deadline`, if any.
    private func listen(
        on capture: any FrameCapture, until deadline: Duration, ownHardwareAddress: MACAddress
    ) async throws(NetworkDriverError) -> MACAddress? {
        while !shouldStop {
            let remaining = deadline - clock.now
            guard remaining > .zero, let bytes = try await capture.next(timeout: remaining) else { return nil }
            switch ProbeObservation.judge(bytes, probingFor: claim.address, ownHardwareAddress: ownHardwareAddress) {
            case .conflict(let owner):
                return owner
            case .unrelated:
                continue
            case .malformed(let error):
                metrics.framesMalformed.increment()
                logger.debug("ignored a malformed frame", metadata: ["error": "\(error)"])
            }
        }
        return nil
    }

    // MARK: Holding

    private enum HoldOutcome {
        case stopped
        /// Putting the address back failed; it is not on the link any more.
        case lost
    }

    private func hold(on selected: SelectedLink) async -> HoldOutcome {
        readdRequested = false
        var source = await announcementSource(on: selected.link)
        await announce(on: selected, from: source)
        logger.info("holding the address", metadata: ["link": "\(selected.link)"])
        report(.held(claim.address, link: selected.link))
        var timeline = AnnouncementTimeline(origin: clock.now, burst: schedule.burst, period: period)
        while true {
            await pause(for: timeline.next - clock.now)
            if shouldStop { return .stopped }
            if readdRequested {
                readdRequested = false
                do throws(NetworkDriverError) {
                    try await driver.addAddress(
                        claim.address, prefixLength: claim.prefixLength, link: selected.link.index)
                } catch {
                    heldLink = nil
                    fail("putting the removed address back on \(selected.link)", error)
                    return .lost
                }
                metrics.addressReadds.increment()
                source = await announcementSource(on: selected.link)
                await announce(on: selected, from: source)
                logger.info("someone removed the address; put it back", metadata: ["link": "\(selected.link)"])
                report(.held(claim.address, link: selected.link))
                // No burst: the burst moves neighbours off a previous owner, and a local removal made none.
                timeline = AnnouncementTimeline(origin: clock.now, burst: [], period: period)
                continue
            }
            let now = clock.now
            guard now >= timeline.next else { continue }
            await announce(on: selected, from: source)
            timeline.advance(past: now)
        }
    }

    /// IPv6 announcements come from the link's link-local address, as RFC 4861 asks of neighbour discovery
    /// and as upstream does; the address itself is the fallback when the link has none (yet).
    private func announcementSource(on link: NetworkLink) async -> IPAddress {
        guard claim.address.family == .ipv6 else { return claim.address }
        do throws(NetworkDriverError) {
            let linkLocal = try await driver.addresses().first { candidate in
                candidate.link == link.index && candidate.address.isIPv6LinkLocal && !candidate.duplicateDetected
            }
            return linkLocal?.address ?? claim.address
        } catch {
            logger.debug(
                "could not read the link-local address; announcing from the VIP", metadata: ["error": "\(error)"])
            return claim.address
        }
    }

    private func announce(on selected: SelectedLink, from source: IPAddress) async {
        let frames = AdvertiserFrames.announcement(of: claim.address, at: selected.hardwareAddress, from: source)
        let sent = claim.address.family == .ipv4 ? metrics.arpAnnouncementsSent : metrics.ndpAdvertisementsSent
        var failure: NetworkDriverError?
        for frame in frames {
            do throws(NetworkDriverError) {
                try await driver.send(frame: frame, link: selected.link.index)
                sent.increment()
            } catch {
                failure = error
            }
        }
        if let failure {
            if !announcementsFailing {
                announcementsFailing = true
                fail("announcing on \(selected.link)", failure)
            }
        } else {
            if announcementsFailing {
                announcementsFailing = false
                logger.info("announcements go out again", metadata: ["link": "\(selected.link)"])
            }
            logger.debug("announced", metadata: ["link": "\(selected.link)"])
        }
    }

    // MARK: Waiting

    /// Waits for `duration`, or less when a command arrives or the task is cancelled.
    private func pause(for duration: Duration) async {
        // Rings so far belong to commands already in the state checked next.
        doorbell.reset()
        guard !withdrawn, !readdRequested, !Task.isCancelled else { return }
        await doorbell.wait(atMost: duration, on: clock)
    }
}
