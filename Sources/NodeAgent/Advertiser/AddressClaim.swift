import NetworkAddresses

/// Which link an address is announced on.
enum InterfaceChoice: Sendable, Hashable {
    /// The link with this name (`vip_interface`); it must be up and have an Ethernet address.
    case named(String)
    /// The link that already has an address whose subnet contains the VIP, so that neighbours on that
    /// subnet are the ones who learn it.
    case auto
}

/// One address this node has become responsible for.
struct AddressClaim: Sendable, Hashable {
    var address: IPAddress
    var interface: InterfaceChoice
    /// The address moves from another kube-vip node that gave it up (leadership changed hands), so there
    /// is no foreign owner to look for and probing would only delay the switch-over.
    var takeOver: Bool

    init(address: IPAddress, interface: InterfaceChoice, takeOver: Bool) {
        self.address = address
        self.interface = interface
        self.takeOver = takeOver
    }

    /// VIPs are host addresses: a subnet prefix would add a connected route the node does not own.
    var prefixLength: Int { address.family.bitWidth }
}

/// When probes and announcements go out.
struct AnnouncementSchedule: Sendable, Hashable {
    /// Offsets after the first announcement at which to repeat it. Neighbours that missed (or raced) the
    /// first one, or switches still learning the port, converge within a couple of seconds instead of
    /// waiting a full `period`.
    var burst: [Duration]
    /// The steady interval (`vip_arpRate`) after the burst, for as long as the address is held; also how
    /// long to wait before retrying after a missing link or a driver error.
    var period: Duration
    /// Probes sent before taking an address that is not a take-over; zero or less skips probing.
    var probes: Int
    var probeInterval: Duration
    /// How long to keep listening after the last probe before concluding nobody answered.
    var probeWait: Duration
    /// How long to wait after a conflict before probing again.
    var conflictRetry: Duration

    static let standardBurst: [Duration] = [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2)]

    init(
        burst: [Duration] = AnnouncementSchedule.standardBurst, period: Duration, probes: Int = 2,
        probeInterval: Duration = .milliseconds(100), probeWait: Duration = .milliseconds(200),
        conflictRetry: Duration? = nil
    ) {
        self.burst = burst
        self.period = period
        self.probes = probes
        self.probeInterval = probeInterval
        self.probeWait = probeWait
        self.conflictRetry = conflictRetry ?? period
    }

    static func standard(period: Duration) -> AnnouncementSchedule {
        AnnouncementSchedule(period: period)
    }

    /// A zero or negative `vip_arpRate` would make every wait return at once and the loop spin, so waits
    /// never go below this.
    static let minimumPeriod: Duration = .milliseconds(10)

    var effectivePeriod: Duration { max(period, Self.minimumPeriod) }
    var effectiveConflictRetry: Duration { max(conflictRetry, Self.minimumPeriod) }
}

/// The instants of the announcements of one holding, counted from the first one: the burst offsets in
/// order, then every period after the last of them.
///
/// Instants are computed from the origin rather than from when the previous announcement actually went
/// out, so that a late wake-up does not push every later announcement back.
struct AnnouncementTimeline: Sendable, Hashable {
    private let origin: Duration
    private let offsets: [Duration]
    private let period: Duration
    private var index = 0

    init(origin: Duration, burst: [Duration], period: Duration) {
        self.origin = origin
        offsets = burst.filter { $0 > .zero }.sorted()
        self.period = period
    }

    /// The instant of the next announcement not yet made.
    var next: Duration {
        if index < offsets.count { return origin + offsets[index] }
        let periodic = index - offsets.count + 1
        return origin + (offsets.last ?? .zero) + period * periodic
    }

    /// Moves past every instant up to `now`: after a long stall (a suspended machine) one announcement
    /// makes up for all the missed ones.
    mutating func advance(past now: Duration) {
        repeat { index += 1 } while next <= now
    }
}
