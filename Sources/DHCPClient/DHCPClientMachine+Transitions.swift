import NetworkAddresses
import NetworkFrames

/// A message being transmitted and retransmitted until it is answered.
struct Exchange: Sendable {
    var message: DHCPMessage
    var source: IPAddress
    var destination: DHCPDestination
    /// `secs` counts from here: the first DISCOVER (or INIT-REBOOT REQUEST) of an acquisition, or T1 of a renewal,
    /// which REBINDING continues.
    var processStart: Duration
    /// When this message was first sent. A lease it obtains starts here (§4.4.1): any of its retransmissions
    /// may be the one answered, and the earliest start is the one that never overstates the lease.
    var firstSent: Duration
    var transmissions = 0
    /// The server named in a SELECTING REQUEST, so that REQUESTING can tell its answer from a stray one.
    var selectedServer: IPAddress?
}

extension DHCPClientMachine {
    /// How long an ARP probe may stay unanswered before the address counts as free.
    public static let probeWait: Duration = .seconds(1)
    /// §3.1.5: at least 10 s between a DECLINE and the next DISCOVER, so a misconfigured server is not hammered.
    public static let declineWait: Duration = .seconds(10)
    /// The lease time assumed when an ACK carries no option 51.
    public static let defaultLeaseTime: UInt32 = 3600
    /// §3.1.5 / §3.2: REQUESTING and INIT-REBOOT give up after this many unanswered transmissions.
    public static let requestAttempts = 4
    /// §4.4.5: RENEWING and REBINDING never retransmit more often than this.
    public static let minimumRenewalRetransmission: Duration = .seconds(60)

    // MARK: - Inputs

    mutating func start(now: Duration) -> [DHCPClientAction] {
        guard state == .idle else { return [] }
        if let remembered = configuration.rememberedAddress, remembered.isLeasableIPv4 {
            let transactionID = newTransactionID()
            state = .rebooting
            return begin(
                Exchange(
                    message: rebootRequest(transactionID: transactionID, address: remembered),
                    source: .ipv4Unspecified, destination: .broadcast, processStart: now, firstSent: now),
                now: now)
        }
        return beginDiscover(hint: nil, now: now)
    }

    mutating func receive(_ message: DHCPMessage, from peer: DHCPPeer, now: Duration) -> [DHCPClientAction] {
        if let reason = screen(message) {
            return [.ignored(reason: reason)]
        }
        guard let type = message.options.messageType else {
            return [.ignored(reason: "no-message-type")]
        }
        switch (state, type) {
        case (.selecting, .offer):
            return offered(message, now: now)
        case (.requesting, .ack), (.rebooting, .ack), (.renewing, .ack), (.rebinding, .ack):
            return acknowledged(message, from: peer, now: now)
        case (.requesting, .nak), (.rebooting, .nak), (.renewing, .nak), (.rebinding, .nak):
            return refused(message, now: now)
        default:
            return [.ignored(reason: "unexpected-\(type.shortName)")]
        }
    }

    mutating func timerFired(now: Duration) -> [DHCPClientAction] {
        switch state {
        case .idle, .released:
            deadline = nil
            return []
        case .selecting:
            return retransmit(now: now)
        case .requesting:
            guard let exchange, exchange.transmissions < Self.requestAttempts else {
                return beginDiscover(hint: nil, now: now)
            }
            return retransmit(now: now)
        case .rebooting:
            guard let exchange, exchange.transmissions < Self.requestAttempts else {
                // §3.2: no server answered, so nobody can confirm the address; ask for it in a DISCOVER instead.
                return beginDiscover(hint: configuration.rememberedAddress, now: now)
            }
            return retransmit(now: now)
        case .probing:
            // The probe's answer never came: nobody claimed the address.
            return bindCandidate(now: now)
        case .bound, .renewing, .rebinding:
            return leaseTimer(now: now)
        case .declined:
            return beginDiscover(hint: nil, now: now)
        }
    }

    mutating func probeAnswered(_ address: IPAddress, conflict: MACAddress?, now: Duration) -> [DHCPClientAction] {
        // A result for an address no longer being probed (late, or after the probe deadline) changes nothing.
        guard state == .probing, let candidate, candidate.address == address else { return [] }
        guard let conflict else { return bindCandidate(now: now) }
        let transactionID = newTransactionID()
        let decline = declineMessage(
            transactionID: transactionID, address: address, server: candidate.serverIdentifier, conflict: conflict)
        self.candidate = nil
        lease = nil
        exchange = nil
        state = .declined
        deadline = now + Self.declineWait
        return [.send(decline, source: .ipv4Unspecified, destination: .broadcast)]
    }

    mutating func release(now: Duration) -> [DHCPClientAction] {
        var actions: [DHCPClientAction] = []
        if let lease, state == .bound || state == .renewing || state == .rebinding {
            let release = releaseMessage(transactionID: newTransactionID(), lease: lease)
            actions = [
                .send(
                    release, source: lease.address,
                    destination: .unicast(lease.serverIdentifier, lease.serverHardwareAddress)),
                .lost(lease.address, reason: "released"),
            ]
        }
        state = .released
        lease = nil
        candidate = nil
        exchange = nil
        deadline = nil
        return actions
    }

    // MARK: - Received messages

    /// Why a message is not for this client at all, or nil when it is.
    private func screen(_ message: DHCPMessage) -> String? {
        guard message.operation == .reply else { return "not-a-reply" }
        guard message.clientHardwareAddress == configuration.hardwareAddress else { return "other-client" }
        if let echoed = message.options.clientIdentifier, let ours = sentClientIdentifier, echoed != ours {
            // RFC 6842: a server echoes option 61, and it is the more specific key when two clients share a MAC.
            return "other-client"
        }
        guard let transactionID, message.transactionID == transactionID else { return "other-transaction" }
        return nil
    }

    /// SELECTING takes the first acceptable offer: waiting to compare offers buys nothing for a VIP.
    private mutating func offered(_ offer: DHCPMessage, now: Duration) -> [DHCPClientAction] {
        guard offer.yourAddress.isLeasableIPv4 else { return [.ignored(reason: "offer-without-address")] }
        guard let server = offer.options.serverIdentifier else { return [.ignored(reason: "offer-without-server-id")] }
        guard let transactionID, let discovering = exchange else { return [.ignored(reason: "unexpected-offer")] }
        state = .requesting
        // §4.4.1: the REQUEST keeps the DISCOVER's xid and its `secs` keeps counting.
        return begin(
            Exchange(
                message: selectingRequest(transactionID: transactionID, address: offer.yourAddress, server: server),
                source: .ipv4Unspecified, destination: .broadcast, processStart: discovering.processStart,
                firstSent: now, selectedServer: server),
            now: now)
    }

    private mutating func acknowledged(_ ack: DHCPMessage, from peer: DHCPPeer, now: Duration) -> [DHCPClientAction] {
        guard ack.yourAddress.isLeasableIPv4 else { return [.ignored(reason: "ack-without-address")] }
        guard let exchange else { return [.ignored(reason: "unexpected-ack")] }
        if state == .requesting, let server = ack.options.serverIdentifier, server != exchange.selectedServer {
            return [.ignored(reason: "other-server")]
        }
        let granted = Self.grantedLease(from: ack, peer: peer, start: exchange.firstSent)
        guard granted.expiry > now else {
            // Only possible with leases shorter than the exchange took; using it would bind an expired address.
            return [.ignored(reason: "lease-already-expired")]
        }
        var actions: [DHCPClientAction] = []
        if let held = lease {
            if held.address == granted.address {
                candidate = granted
                return bindCandidate(now: now)
            }
            // The server moved us: the old address goes now, and the new one is probed like any first lease
            // (simpler and safer than holding both while probing).
            actions.append(.lost(held.address, reason: "address changed"))
        }
        lease = nil
        candidate = granted
        self.exchange = nil
        state = .probing
        deadline = now + Self.probeWait
        actions.append(.probe(granted.address))
        return actions
    }

    private mutating func refused(_ nak: DHCPMessage, now: Duration) -> [DHCPClientAction] {
        if state == .requesting, let server = nak.options.serverIdentifier, server != exchange?.selectedServer {
            return [.ignored(reason: "other-server")]
        }
        var actions: [DHCPClientAction] = []
        if let held = lease {
            actions.append(.lost(held.address, reason: "nak"))
        }
        return actions + beginDiscover(hint: nil, now: now)
    }

    /// §4.4.1 and §4.4.5: T1 and T2 default to 1/2 and 7/8 of the lease; values from the server that break
    /// T1 <= T2 <= lease (or T1 = 0, which would renew in a loop) are all replaced by the defaults.
    static func grantedLease(from ack: DHCPMessage, peer: DHCPPeer, start: Duration) -> DHCPLease {
        let leaseTime = Duration.seconds(ack.options.leaseTime ?? defaultLeaseTime)
        let defaultT1 = leaseTime / 2
        let defaultT2 = leaseTime * 7 / 8
        var t1 = ack.options.renewalTime.map { Duration.seconds($0) } ?? defaultT1
        var t2 = ack.options.rebindingTime.map { Duration.seconds($0) } ?? defaultT2
        if !(t1 > .zero && t1 <= t2 && t2 <= leaseTime) {
            t1 = defaultT1
            t2 = defaultT2
        }
        return DHCPLease(
            address: ack.yourAddress, subnetMask: ack.options.subnetMask,
            serverIdentifier: ack.options.serverIdentifier ?? peer.address,
            serverHardwareAddress: peer.hardwareAddress, start: start, leaseTime: leaseTime,
            renewalTime: t1, rebindingTime: t2)
    }

    // MARK: - Transitions

    private mutating func beginDiscover(hint: IPAddress?, now: Duration) -> [DHCPClientAction] {
        let transactionID = newTransactionID()
        lease = nil
        candidate = nil
        state = .selecting
        return begin(
            Exchange(
                message: discoverMessage(transactionID: transactionID, hint: hint), source: .ipv4Unspecified,
                destination: .broadcast, processStart: now, firstSent: now),
            now: now)
    }

    private mutating func bindCandidate(now: Duration) -> [DHCPClientAction] {
        guard let candidate else {
            deadline = nil
            return []
        }
        lease = candidate
        self.candidate = nil
        exchange = nil
        state = .bound
        deadline = max(now, candidate.start + candidate.renewalTime)
        return [.bound(candidate)]
    }

    /// BOUND, RENEWING and REBINDING all run on the lease's clock; a timer delivered late skips straight to the
    /// phase `now` falls in.
    private mutating func leaseTimer(now: Duration) -> [DHCPClientAction] {
        guard let held = lease else {
            return beginDiscover(hint: nil, now: now)
        }
        if now >= held.expiry {
            return [.lost(held.address, reason: "lease expired")] + beginDiscover(hint: nil, now: now)
        }
        if now >= held.start + held.rebindingTime {
            if state == .rebinding { return retransmit(now: now) }
            // §4.4.5: the granting server is silent; ask any server, keeping the address in ciaddr. A new xid,
            // since this is a different message to different servers; `secs` keeps counting from T1.
            let processStart = state == .renewing ? exchange?.processStart ?? now : now
            state = .rebinding
            return begin(
                Exchange(
                    message: renewalRequest(
                        transactionID: newTransactionID(), address: held.address, broadcast: configuration.broadcast),
                    source: held.address, destination: .broadcast, processStart: processStart, firstSent: now),
                now: now)
        }
        if now >= held.start + held.renewalTime {
            if state == .renewing { return retransmit(now: now) }
            state = .renewing
            // A unicast answer reaches ciaddr, so the broadcast flag is never needed here.
            return begin(
                Exchange(
                    message: renewalRequest(transactionID: newTransactionID(), address: held.address, broadcast: false),
                    source: held.address,
                    destination: .unicast(held.serverIdentifier, held.serverHardwareAddress),
                    processStart: now, firstSent: now),
                now: now)
        }
        deadline = held.start + held.renewalTime
        return []
    }

    // MARK: - Transmission

    private mutating func begin(_ exchange: Exchange, now: Duration) -> [DHCPClientAction] {
        var exchange = exchange
        let action = transmit(&exchange, now: now)
        self.exchange = exchange
        return [action]
    }

    private mutating func retransmit(now: Duration) -> [DHCPClientAction] {
        guard var exchange else {
            deadline = nil
            return []
        }
        let action = transmit(&exchange, now: now)
        self.exchange = exchange
        return [action]
    }

    /// Sends (again) with an up-to-date `secs` and sets the deadline for the next retransmission; `state` must
    /// already be the one the message belongs to.
    private mutating func transmit(_ exchange: inout Exchange, now: Duration) -> DHCPClientAction {
        exchange.transmissions += 1
        exchange.message.seconds = Self.seconds(from: exchange.processStart, to: now)
        deadline = nextTransmission(after: exchange.transmissions, now: now)
        return .send(exchange.message, source: exchange.source, destination: exchange.destination)
    }

    private mutating func nextTransmission(after transmissions: Int, now: Duration) -> Duration? {
        switch state {
        case .selecting, .requesting, .rebooting:
            return now + backoff(after: transmissions)
        case .renewing:
            guard let lease else { return nil }
            return Self.halfway(from: now, to: lease.start + lease.rebindingTime)
        case .rebinding:
            guard let lease else { return nil }
            return Self.halfway(from: now, to: lease.expiry)
        case .idle, .probing, .bound, .declined, .released:
            return nil
        }
    }

    /// §4.1: 4 s doubling to 64 s, each randomised by a uniform ±1 s so that clients that lost the same server
    /// do not retry in lockstep.
    private mutating func backoff(after transmissions: Int) -> Duration {
        let exponent = min(max(transmissions - 1, 0), 4)
        let jitter = Int64(random.next() % 2_000_001) - 1_000_000
        return .seconds(4 << exponent) + .microseconds(jitter)
    }

    /// §4.4.5: half the time left until `limit`, at least 60 s, never past `limit`.
    private static func halfway(from now: Duration, to limit: Duration) -> Duration {
        let next = now + max((limit - now) / 2, minimumRenewalRetransmission)
        return max(now, min(next, limit))
    }

    private static func seconds(from start: Duration, to now: Duration) -> UInt16 {
        let elapsed = now - start
        guard elapsed > .zero else { return 0 }
        return UInt16(clamping: elapsed.components.seconds)
    }

    private mutating func newTransactionID() -> UInt32 {
        let transactionID = UInt32(truncatingIfNeeded: random.next() >> 32)
        self.transactionID = transactionID
        return transactionID
    }
}
