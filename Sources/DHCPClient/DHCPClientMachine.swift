import NetworkAddresses
import NetworkFrames

// The contract the node agent codes against. The machine itself is in DHCPClientMachine+Transitions.swift
// (RFC 2131 figure 5), the messages it builds in DHCPClientMachine+Messages.swift.

/// What the client asks for; fixed for the life of one machine.
public struct DHCPClientConfiguration: Sendable, Hashable {
    /// `chaddr`, and the macvlan's MAC.
    public var hardwareAddress: MACAddress
    /// Option 61. Distinct from the host name (upstream sends the host name as both); by default type 1 +
    /// the MAC, which every node computes alike, so a failover presents the same client to the server.
    public var clientIdentifier: [UInt8]
    /// Option 12, from `kube-vip.io/loadbalancerHostname`; nil sends none.
    public var hostName: String?
    /// The BOOTP broadcast flag, from `kube-vip.io/dhcp-broadcast`.
    public var broadcast: Bool
    /// The address a previous holder leased (`kube-vip.io/requestedIP`): the client starts in INIT-REBOOT.
    public var rememberedAddress: IPAddress?

    public init(
        hardwareAddress: MACAddress, clientIdentifier: [UInt8]? = nil, hostName: String? = nil, broadcast: Bool = false,
        rememberedAddress: IPAddress? = nil
    ) {
        self.hardwareAddress = hardwareAddress
        self.clientIdentifier = clientIdentifier ?? ([1] + hardwareAddress.bytes)
        self.hostName = hostName
        self.broadcast = broadcast
        self.rememberedAddress = rememberedAddress
    }
}

/// Who sent a received message: the frame's Ethernet source and the packet's IP source.
public struct DHCPPeer: Sendable, Hashable {
    public var hardwareAddress: MACAddress
    public var address: IPAddress

    public init(hardwareAddress: MACAddress, address: IPAddress) {
        self.hardwareAddress = hardwareAddress
        self.address = address
    }
}

/// Where a message goes.
public enum DHCPDestination: Sendable, Hashable {
    /// 255.255.255.255 to ff:ff:ff:ff:ff:ff.
    case broadcast
    /// To the server's address, through the Ethernet address that delivered its last message (the server
    /// itself, or the router/relay in front of it).
    case unicast(IPAddress, MACAddress)
}

/// A lease the client holds. Times are offsets on the machine's clock (the `now` it is given).
public struct DHCPLease: Sendable, Hashable {
    public var address: IPAddress
    /// From option 1; nil when the server sent no mask.
    public var subnetMask: IPAddress?
    public var serverIdentifier: IPAddress
    /// The next hop for unicast to the server (see `DHCPDestination.unicast`).
    public var serverHardwareAddress: MACAddress
    /// When the lease was granted (the time the REQUEST that got it was first sent, RFC 2131 §4.4.1).
    public var start: Duration
    public var leaseTime: Duration
    /// T1 and T2, relative to `start`.
    public var renewalTime: Duration
    public var rebindingTime: Duration

    public init(
        address: IPAddress, subnetMask: IPAddress?, serverIdentifier: IPAddress, serverHardwareAddress: MACAddress,
        start: Duration, leaseTime: Duration, renewalTime: Duration, rebindingTime: Duration
    ) {
        self.address = address
        self.subnetMask = subnetMask
        self.serverIdentifier = serverIdentifier
        self.serverHardwareAddress = serverHardwareAddress
        self.start = start
        self.leaseTime = leaseTime
        self.renewalTime = renewalTime
        self.rebindingTime = rebindingTime
    }

    public var expiry: Duration { start + leaseTime }
}

/// RFC 2131 figure 5's states, plus the two ends.
public enum DHCPClientState: String, Sendable, Hashable, CaseIterable {
    /// Not started yet.
    case idle
    /// Broadcasting DISCOVER, waiting for an OFFER (INIT + SELECTING).
    case selecting
    /// REQUEST for an offer sent, waiting for ACK or NAK.
    case requesting
    /// INIT-REBOOT: REQUEST for the remembered address sent, waiting for ACK or NAK.
    case rebooting
    /// ACK received; checking with ARP that nobody else uses the address before using it.
    case probing
    case bound
    /// Past T1: REQUEST unicast to the server that granted the lease.
    case renewing
    /// Past T2: REQUEST broadcast to any server.
    case rebinding
    /// The address was declined; waiting (at least 10 s, RFC 2131 §3.1.5) before starting over.
    case declined
    /// Stopped for good (RELEASE sent if a lease was held).
    case released
}

public enum DHCPClientInput: Sendable, Hashable {
    /// Begin: INIT-REBOOT when the configuration remembers an address, else INIT.
    case start
    /// A decoded DHCP message from the wire (the machine itself ignores those not for it).
    case received(DHCPMessage, from: DHCPPeer)
    /// The machine's `deadline` has come.
    case timer
    /// The answer to a `.probe` action: the MAC of another host using the address, or nil when none answered.
    case probeResult(IPAddress, conflict: MACAddress?)
    /// Stop: send RELEASE when a lease is held, then stay `released`.
    case release
}

public enum DHCPClientAction: Sendable, Hashable {
    /// Put this message on the wire from `source` (0.0.0.0 until an address is held) to `destination`.
    case send(DHCPMessage, source: IPAddress, destination: DHCPDestination)
    /// ARP-probe the address (RFC 5227) and answer with `.probeResult`; the machine sets its deadline so that a
    /// probe that never answers is treated as "no conflict".
    case probe(IPAddress)
    /// The lease is usable: a new one, a renewed one (same address, later expiry), or one with a new address.
    case bound(DHCPLease)
    /// The address must no longer be used (expired, NAKed while held, or released).
    case lost(IPAddress, reason: String)
    /// A received message was not acted on (another client's, unexpected in this state, missing options...),
    /// with a short stable reason for a metric label.
    case ignored(reason: String)
}

/// The RFC 2131 client as a pure state machine: no I/O, no clock of its own. Every input comes with `now` (any
/// monotonic time base, as a Duration since its origin); the caller delivers `.timer` when `deadline` passes.
/// Randomness (transaction ids, the ±1 s retransmission jitter) comes from a seeded generator, so tests are
/// reproducible.
///
/// Unlike upstream's client, renewal follows RFC 2131 §4.4.5 literally: RENEWING unicasts a REQUEST to the
/// server that granted the lease, REBINDING broadcasts one with `ciaddr` set and neither option 50 nor 54, and
/// only expiry (or a NAK) sends the client back to DISCOVER. That keeps the address stable across a server's
/// short outage instead of running a fresh DORA every T2.
public struct DHCPClientMachine: Sendable {
    public internal(set) var state: DHCPClientState = .idle
    /// The lease held (bound, renewing, rebinding), nil otherwise.
    public internal(set) var lease: DHCPLease?
    /// When to deliver `.timer`; nil when nothing is pending.
    public internal(set) var deadline: Duration?
    public let configuration: DHCPClientConfiguration

    var random: SplitMix64
    /// The xid of the last message sent; replies must echo it.
    var transactionID: UInt32?
    /// The message being (re)transmitted, while waiting for an answer.
    var exchange: Exchange?
    /// An ACKed lease whose address is being probed; it becomes `lease` only when nobody else answers.
    var candidate: DHCPLease?

    public init(configuration: DHCPClientConfiguration, seed: UInt64) {
        self.configuration = configuration
        self.random = SplitMix64(seed: seed)
    }

    public mutating func handle(_ input: DHCPClientInput, now: Duration) -> [DHCPClientAction] {
        if state == .released {
            if case .received = input { return [.ignored(reason: "released")] }
            return []
        }
        switch input {
        case .start:
            return start(now: now)
        case .received(let message, let peer):
            return receive(message, from: peer, now: now)
        case .timer:
            guard let deadline, now >= deadline else { return [] }
            return timerFired(now: now)
        case .probeResult(let address, let conflict):
            return probeAnswered(address, conflict: conflict, now: now)
        case .release:
            return release(now: now)
        }
    }
}
