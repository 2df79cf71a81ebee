import NetworkAddresses
import NetworkFrames

/// Everything the node agent needs from the host's network, so that its logic runs against an in-memory
/// driver in tests and against the kernel (`LinuxNetwork`) in production.
///
/// Links are named by their kernel index, which stays the same while the link exists; names are resolved
/// through `links()` because an interface can be renamed or recreated under the same name.
public protocol NetworkDriver: Sendable {
    /// Every link the namespace has, with its Ethernet address and state.
    func links() async throws(NetworkDriverError) -> [NetworkLink]

    /// Every address on every link, both families.
    func addresses() async throws(NetworkDriverError) -> [LinkAddress]

    /// Adds `address/prefixLength` to the link as a VIP: its preferred lifetime is zero, so the kernel never
    /// picks it as the source of outgoing traffic, and IPv6 addresses skip the kernel's duplicate address
    /// detection (the agent probes for another owner itself before it adds one, and a take-over must not
    /// leave the address tentative). Adding an address that is already there succeeds.
    /// (Only IPv6 source selection honours the deprecated flag; IPv4 picks the first primary address
    /// of the link, so an IPv4 VIP stays out of the way by being added after the node's own address.)
    func addAddress(_ address: IPAddress, prefixLength: Int, link: Int32) async throws(NetworkDriverError)

    /// Removes the address; removing one that is not there succeeds.
    func removeAddress(_ address: IPAddress, prefixLength: Int, link: Int32) async throws(NetworkDriverError)

    /// Sends one complete Ethernet frame (header included) out of the link.
    func send(frame: [UInt8], link: Int32) async throws(NetworkDriverError)

    /// Starts receiving the frames of one EtherType that arrive on the link (those the host sends itself
    /// are not included) and that `filter` accepts. Frames that arrive before the first `next` call are buffered
    /// by the kernel.
    func capture(link: Int32, etherType: EtherType, filter: CaptureFilter) async throws(NetworkDriverError)
        -> any FrameCapture

    /// The kernel's address notifications (added, removed, or "some were lost, read everything again") for
    /// as long as the stream is iterated. One consumer per call.
    func addressChanges() -> AsyncStream<AddressChange>

    /// Creates a macvlan link in bridge mode on `parent` with `hardwareAddress`, brought up, and returns it.
    /// When a link of that name exists already: a macvlan on the same parent is reused (its MAC set to
    /// `hardwareAddress` if different, brought up), so an agent that restarts picks up its own link; anything
    /// else throws (errno EEXIST) rather than touching an interface kube-vip did not make.
    /// Bridge mode lets the macvlan and other macvlans of the parent reach each other. The link is usable as
    /// soon as this returns; on a parent that is down it is created all the same (the kernel allows it) but
    /// carries nothing until the parent comes up. A missing parent throws the kernel's ENODEV, and a name the
    /// kernel would refuse (empty, longer than 15 bytes, containing '/', ':' or whitespace, "." or "..")
    /// throws EINVAL before anything is changed.
    func createMacvlan(name: String, parent: Int32, hardwareAddress: MACAddress) async throws(NetworkDriverError)
        -> NetworkLink

    /// Deletes a link (and with it its addresses); deleting one that does not exist succeeds.
    func deleteLink(_ index: Int32) async throws(NetworkDriverError)

    /// Sets the link's IPv4 reverse-path filter (0 off, 1 strict, 2 loose), as net.ipv4.conf.<link>.rp_filter
    /// does. A macvlan that shares its parent's subnet receives replies the strict filter would drop (the
    /// route back to their source goes through the parent). The kernel applies the larger of this and
    /// net.ipv4.conf.all.rp_filter.
    func setReversePathFilter(_ mode: Int, link: Int32) async throws(NetworkDriverError)
}

extension NetworkDriver {
    /// Every frame of the EtherType.
    public func capture(link: Int32, etherType: EtherType) async throws(NetworkDriverError) -> any FrameCapture {
        try await capture(link: link, etherType: etherType, filter: .all)
    }
}

/// Which frames of its EtherType a capture keeps. A driver applies it where the frames arrive (the Linux driver
/// in the kernel, as a socket filter), so what is dropped is never copied to the agent: a DHCP macvlan also
/// carries all of its Service's traffic, which the lease's socket must not have to read.
public enum CaptureFilter: Sendable, Hashable {
    case all
    /// IPv4 UDP datagrams to port 68 (a DHCP client's), first fragments or unfragmented only.
    case dhcpClient

    /// The filter's meaning over a whole Ethernet frame, for drivers that filter in the process (and to check
    /// those that do not against).
    public func accepts(_ frame: [UInt8]) -> Bool {
        switch self {
        case .all:
            return true
        case .dhcpClient:
            // Ethernet (14) + IPv4 with its header length in the low nibble of byte 14.
            guard frame.count >= 34, frame[12] == 0x08, frame[13] == 0x00, frame[23] == 17 else { return false }
            let fragmentOffset = (UInt16(frame[20]) << 8 | UInt16(frame[21])) & 0x1FFF
            guard fragmentOffset == 0 else { return false }
            let portOffset = 14 + Int(frame[14] & 0x0F) * 4 + 2
            guard frame.count >= portOffset + 2 else { return false }
            return UInt16(frame[portOffset]) << 8 | UInt16(frame[portOffset + 1]) == 68
        }
    }
}

/// Frames received on one link; `close()` it when done (it is also closed when released).
public protocol FrameCapture: Sendable {
    /// The next frame, or nil when `timeout` passes first (or the capture was closed).
    func next(timeout: Duration) async throws(NetworkDriverError) -> [UInt8]?

    func close() async
}

public struct NetworkLink: Sendable, Hashable, CustomStringConvertible {
    public var index: Int32
    public var name: String
    /// Nil for links without an Ethernet address (loopback, tunnels).
    public var hardwareAddress: MACAddress?
    /// Administratively up (IFF_UP).
    public var isUp: Bool
    public var isLoopback: Bool
    /// The link type the kernel reports (IFLA_INFO_KIND: "macvlan", "veth", "bridge"…); nil when it gives
    /// none, as for loopback and most physical interfaces.
    public var kind: String?
    /// The link this one is stacked on (IFLA_LINK), e.g. a macvlan's parent; nil when there is none or it is
    /// in another namespace (a veth's peer), where the index would mean nothing here.
    public var parent: Int32?

    public init(
        index: Int32, name: String, hardwareAddress: MACAddress?, isUp: Bool, isLoopback: Bool,
        kind: String? = nil, parent: Int32? = nil
    ) {
        self.index = index
        self.name = name
        self.hardwareAddress = hardwareAddress
        self.isUp = isUp
        self.isLoopback = isLoopback
        self.kind = kind
        self.parent = parent
    }

    public var description: String { "\(name) (#\(index))" }
}

public struct LinkAddress: Sendable, Hashable, CustomStringConvertible {
    public var link: Int32
    public var address: IPAddress
    public var prefixLength: Int
    /// IPv6: the kernel's duplicate address detection failed for it (IFA_F_DADFAILED); it is not usable.
    public var duplicateDetected: Bool

    public init(link: Int32, address: IPAddress, prefixLength: Int, duplicateDetected: Bool = false) {
        self.link = link
        self.address = address
        self.prefixLength = prefixLength
        self.duplicateDetected = duplicateDetected
    }

    public var description: String { "\(address)/\(prefixLength) on #\(link)" }
}

public enum AddressChange: Sendable, Hashable {
    case added(LinkAddress)
    case removed(LinkAddress)
    /// The kernel dropped notifications (the socket's buffer overran): read `addresses()` again.
    case overrun
}

/// A failed system call, with the errno the kernel gave.
public struct NetworkDriverError: Error, Sendable, Hashable, CustomStringConvertible {
    public var operation: String
    public var code: Int32
    public var detail: String

    public init(operation: String, code: Int32, detail: String = "") {
        self.operation = operation
        self.code = code
        self.detail = detail
    }

    public var description: String {
        detail.isEmpty ? "\(operation): errno \(code)" : "\(operation): \(detail) (errno \(code))"
    }
}
