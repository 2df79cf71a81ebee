import CLinuxNet
import CNetlink
import Glibc
import Logging
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Synchronization

/// The `NetworkDriver` for a Linux host (or one network namespace of it): rtnetlink through libmnl
/// for links and addresses, AF_PACKET sockets for ARP and neighbour discovery frames.
///
/// Every socket is created in the driver's namespace and everything is resolved through those
/// sockets (never `if_nametoindex` or ioctls, which would look at the calling thread's namespace),
/// so one process can drive several namespaces, as the tests do.
public final class LinuxNetworkDriver: NetworkDriver {
    private let namespace: NetworkNamespace
    private let logger: Logger
    /// One request at a time; nil after a failure that could leave replies behind, reopened on use.
    private let routeSocket: Mutex<RouteSocket?>
    /// Sending sockets by link index, kept open because the agent announces repeatedly.
    private let sendSockets = Mutex<[Int32: Int32]>([:])

    /// - Parameter networkNamespace: a name under /var/run/netns (as `ip netns add` creates it);
    ///   nil for the process's own namespace.
    public init(
        networkNamespace: String? = nil, logger: Logger = Logger(label: "kube-vip.network")
    ) throws(NetworkDriverError) {
        let namespace = try NetworkNamespace(name: networkNamespace)
        self.namespace = namespace
        var logger = logger
        if let networkNamespace { logger[metadataKey: "netns"] = "\(networkNamespace)" }
        self.logger = logger
        routeSocket = Mutex(try RouteSocket(namespace: namespace))
    }

    deinit {
        sendSockets.withLock { sockets in
            for socket in sockets.values { close(socket) }
        }
    }

    public func links() async throws(NetworkDriverError) -> [NetworkLink] {
        try dump(operation: "RTM_GETLINK") { header in
            header.pointee.nlmsg_type = UInt16(RTM_GETLINK)
            let info = mnl_nlmsg_put_extra_header(header, MemoryLayout<ifinfomsg>.size)
            info?.storeBytes(of: ifinfomsg(), as: ifinfomsg.self)
        } decode: { message in
            RouteMessages.link(from: message)
        }
    }

    public func addresses() async throws(NetworkDriverError) -> [LinkAddress] {
        try dump(operation: "RTM_GETADDR") { header in
            header.pointee.nlmsg_type = UInt16(RTM_GETADDR)
            let info = mnl_nlmsg_put_extra_header(header, MemoryLayout<ifaddrmsg>.size)
            info?.storeBytes(of: ifaddrmsg(), as: ifaddrmsg.self)
        } decode: { message in
            RouteMessages.address(from: message)
        }
    }

    public func addAddress(_ address: IPAddress, prefixLength: Int, link: Int32) async throws(NetworkDriverError) {
        let detail = "\(address)/\(prefixLength) on #\(link)"
        try validate(prefixLength: prefixLength, of: address, operation: "RTM_NEWADDR")
        try request(operation: "RTM_NEWADDR", detail: detail) { header in
            // REPLACE makes adding an address that is already there succeed (and reset its lifetimes).
            header.pointee.nlmsg_type = UInt16(RTM_NEWADDR)
            header.pointee.nlmsg_flags |= UInt16(NLM_F_CREATE | NLM_F_REPLACE)
            var flags: UInt32 = 0
            if address.family == .ipv6 { flags |= UInt32(IFA_F_NODAD) }
            Self.putAddressHeader(header, address: address, prefixLength: prefixLength, link: link, flags: flags)
            mnl_attr_put_u32(header, UInt16(IFA_FLAGS), flags)
            // Preferred lifetime 0 marks the address deprecated, which keeps the kernel from choosing
            // a VIP as the source of the node's own connections; valid forever keeps it in place.
            var lifetimes = ifa_cacheinfo(ifa_prefered: 0, ifa_valid: UInt32.max, cstamp: 0, tstamp: 0)
            mnl_attr_put(header, UInt16(IFA_CACHEINFO), MemoryLayout<ifa_cacheinfo>.size, &lifetimes)
        }
        logger.debug("address added", metadata: ["address": "\(detail)"])
    }

    public func removeAddress(_ address: IPAddress, prefixLength: Int, link: Int32) async throws(NetworkDriverError) {
        let detail = "\(address)/\(prefixLength) on #\(link)"
        try validate(prefixLength: prefixLength, of: address, operation: "RTM_DELADDR")
        do {
            try request(operation: "RTM_DELADDR", detail: detail) { header in
                header.pointee.nlmsg_type = UInt16(RTM_DELADDR)
                Self.putAddressHeader(header, address: address, prefixLength: prefixLength, link: link, flags: 0)
            }
            logger.debug("address removed", metadata: ["address": "\(detail)"])
        } catch {
            // Not there (or its link is gone with it): the state the caller asked for.
            guard [EADDRNOTAVAIL, ENOENT, ESRCH, ENODEV].contains(error.code) else { throw error }
            logger.debug("address to remove was not there", metadata: ["address": "\(detail)"])
        }
    }

    public func send(frame: [UInt8], link: Int32) async throws(NetworkDriverError) {
        guard frame.count >= EthernetFrame.headerLength else {
            throw NetworkDriverError(
                operation: "sendto", code: EINVAL, detail: "a frame of \(frame.count) bytes has no Ethernet header")
        }
        let namespace = self.namespace
        try sendSockets.withLock { (sockets: inout [Int32: Int32]) throws(NetworkDriverError) in
            let socket: Int32
            if let open = sockets[link] {
                socket = open
            } else {
                // Protocol 0: the socket only sends, so it should not receive a copy of any frame.
                socket = try namespace.socket(
                    domain: AF_PACKET, type: clinuxnet_sock_raw, protocol: 0, purpose: "AF_PACKET for #\(link)")
                sockets[link] = socket
            }
            var address = sockaddr_ll()
            address.sll_family = UInt16(AF_PACKET)
            address.sll_protocol = UInt16(frame[12]) | UInt16(frame[13]) << 8  // already network order
            address.sll_ifindex = link
            address.sll_halen = 6
            withUnsafeMutableBytes(of: &address.sll_addr) { bytes in
                for index in 0..<6 { bytes[index] = frame[index] }
            }
            let sent = frame.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) { address in
                    address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        sendto(socket, bytes.baseAddress, bytes.count, 0, address, socklen_t(MemoryLayout<sockaddr_ll>.size))
                    }
                }
            }
            if sent < 0 {
                let error = NetworkDriverError.system("sendto", "\(frame.count) bytes on #\(link)")
                // The link may have been deleted; a fresh socket is opened next time.
                sockets[link] = nil
                close(socket)
                throw error
            }
        }
    }

    public func capture(link: Int32, etherType: EtherType, filter: CaptureFilter) async throws(NetworkDriverError)
        -> any FrameCapture
    {
        // Created with protocol 0 so that nothing is queued before bind() limits the socket to one
        // link; binding with the EtherType then starts delivery of just those frames (and, with the filter
        // attached before, only those it keeps).
        let socket = try namespace.socket(
            domain: AF_PACKET, type: clinuxnet_sock_raw, protocol: 0, purpose: "AF_PACKET capture on #\(link)")
        if filter == .dhcpClient, clinuxnet_attach_dhcp_client_filter(socket) != 0 {
            let error = NetworkDriverError.system("setsockopt", "SO_ATTACH_FILTER on the capture of #\(link)")
            close(socket)
            throw error
        }
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = etherType.rawValue.bigEndian
        address.sll_ifindex = link
        let bound = withUnsafePointer(to: &address) { address in
            address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socket, address, socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        guard bound == 0 else {
            let error = NetworkDriverError.system("bind", "AF_PACKET capture of \(etherType) on #\(link)")
            close(socket)
            throw error
        }
        return try LinuxFrameCapture(socket: socket, link: link, etherType: etherType)
    }

    public func addressChanges() -> AsyncStream<AddressChange> {
        let (stream, continuation) = AsyncStream<AddressChange>.makeStream()
        do {
            let reader = try AddressChangeReader.start(namespace: namespace, continuation: continuation)
            continuation.onTermination = { _ in reader.stop() }
        } catch {
            logger.error("cannot subscribe to address changes", metadata: ["error": "\(error)"])
            continuation.finish()
        }
        return stream
    }

    // MARK: - Links

    public func createMacvlan(
        name: String, parent: Int32, hardwareAddress: MACAddress
    ) async throws(NetworkDriverError) -> NetworkLink {
        let operation = "RTM_NEWLINK"
        try LinkName.validate(name, operation: operation)
        let detail = "macvlan \(name) on #\(parent)"
        if let existing = try link(named: name) {
            return try reuseMacvlan(existing, parent: parent, hardwareAddress: hardwareAddress)
        }
        do throws(NetworkDriverError) {
            try request(operation: operation, detail: detail) { header in
                header.pointee.nlmsg_type = UInt16(RTM_NEWLINK)
                // EXCL: a link that appeared since the look-up must not be modified as if it were new.
                header.pointee.nlmsg_flags |= UInt16(NLM_F_CREATE | NLM_F_EXCL)
                Self.putLinkHeader(header, index: 0, up: true)
                mnl_attr_put_strz(header, UInt16(IFLA_IFNAME), name)
                mnl_attr_put_u32(header, UInt16(IFLA_LINK), UInt32(bitPattern: parent))
                Self.putHardwareAddress(header, hardwareAddress)
                Self.putMacvlanBridgeMode(header)
            }
        } catch {
            // Someone created that name between the look-up and the request: judge what is there now.
            guard error.code == EEXIST, let existing = try link(named: name) else { throw error }
            return try reuseMacvlan(existing, parent: parent, hardwareAddress: hardwareAddress)
        }
        guard let created = try link(named: name) else {
            throw NetworkDriverError(operation: "RTM_GETLINK", code: ENODEV, detail: "\(detail) gone right after creation")
        }
        logger.debug("macvlan created", metadata: ["link": "\(created)", "parent": "\(parent)", "mac": "\(hardwareAddress)"])
        return created
    }

    public func deleteLink(_ index: Int32) async throws(NetworkDriverError) {
        do throws(NetworkDriverError) {
            try request(operation: "RTM_DELLINK", detail: "#\(index)") { header in
                header.pointee.nlmsg_type = UInt16(RTM_DELLINK)
                Self.putLinkHeader(header, index: index, up: nil)
            }
            logger.debug("link deleted", metadata: ["link": "#\(index)"])
        } catch {
            guard error.code == ENODEV else { throw error }
            logger.debug("link to delete was not there", metadata: ["link": "#\(index)"])
        }
    }

    public func setReversePathFilter(_ mode: Int, link: Int32) async throws(NetworkDriverError) {
        guard (0...2).contains(mode) else {
            throw NetworkDriverError(
                operation: "RTM_SETLINK", code: EINVAL, detail: "reverse-path filter mode \(mode) (0, 1 or 2)")
        }
        // Through the link's IPv4 settings in rtnetlink rather than /proc/sys, which shows the namespace of
        // whoever mounted /proc, not necessarily the driver's.
        try request(operation: "RTM_SETLINK", detail: "rp_filter \(mode) on #\(link)") { header in
            header.pointee.nlmsg_type = UInt16(RTM_SETLINK)
            Self.putLinkHeader(header, index: link, up: nil)
            let addressFamilies = mnl_attr_nest_start(header, UInt16(IFLA_AF_SPEC))
            let ipv4 = mnl_attr_nest_start(header, UInt16(AF_INET))
            let configuration = mnl_attr_nest_start(header, UInt16(IFLA_INET_CONF))
            mnl_attr_put_u32(header, Self.ipv4DevconfReversePathFilter, UInt32(mode))
            mnl_attr_nest_end(header, configuration)
            mnl_attr_nest_end(header, ipv4)
            mnl_attr_nest_end(header, addressFamilies)
        }
        logger.debug("reverse-path filter set", metadata: ["link": "#\(link)", "mode": "\(mode)"])
    }

    /// IPV4_DEVCONF_RP_FILTER of linux/ip.h (the attribute types of IFLA_INET_CONF are the 1-based
    /// indices of the link's IPv4 settings); that header is not imported because it clashes with glibc's.
    private static let ipv4DevconfReversePathFilter: UInt16 = 8

    /// Takes over an existing link of the name only when it is what `createMacvlan` would have made.
    private func reuseMacvlan(
        _ existing: NetworkLink, parent: Int32, hardwareAddress: MACAddress
    ) throws(NetworkDriverError) -> NetworkLink {
        guard existing.kind == "macvlan", existing.parent == parent else {
            let what = "\(existing.kind ?? "link")" + (existing.parent.map { " on #\($0)" } ?? "")
            throw NetworkDriverError(
                operation: "RTM_NEWLINK", code: EEXIST,
                detail: "\(existing) exists and is a \(what), not a macvlan on #\(parent); left untouched")
        }
        let newAddress = existing.hardwareAddress == hardwareAddress ? nil : hardwareAddress
        // The kind in the request also makes the kernel refuse (EOPNOTSUPP) should the name have been
        // taken over by another kind of link since the look-up.
        try request(operation: "RTM_NEWLINK", detail: "reuse macvlan \(existing)") { header in
            header.pointee.nlmsg_type = UInt16(RTM_NEWLINK)
            Self.putLinkHeader(header, index: existing.index, up: true)
            if let newAddress { Self.putHardwareAddress(header, newAddress) }
            Self.putMacvlanBridgeMode(header)
        }
        guard let reused = try link(named: existing.name), reused.index == existing.index else {
            throw NetworkDriverError(operation: "RTM_GETLINK", code: ENODEV, detail: "\(existing) gone while reused")
        }
        logger.debug("macvlan reused", metadata: ["link": "\(reused)", "mac": "\(hardwareAddress)"])
        return reused
    }

    /// The link named `name`, asked of the kernel by name (one message, not a dump).
    private func link(named name: String) throws(NetworkDriverError) -> NetworkLink? {
        var found: NetworkLink?
        do throws(NetworkDriverError) {
            try withRouteSocket { socket throws(NetworkDriverError) in
                try socket.acknowledged(operation: "RTM_GETLINK", detail: name) { header in
                    header.pointee.nlmsg_type = UInt16(RTM_GETLINK)
                    Self.putLinkHeader(header, index: 0, up: nil)
                    mnl_attr_put_strz(header, UInt16(IFLA_IFNAME), name)
                } handler: { message in
                    if let link = RouteMessages.link(from: message) { found = link }
                }
            }
        } catch {
            guard error.code == ENODEV else { throw error }
            return nil
        }
        return found
    }

    /// An ifinfomsg for link `index` (0: none, for creation and look-ups by name); `up` true brings the
    /// link up, nil leaves its flags alone.
    private static func putLinkHeader(_ header: UnsafeMutablePointer<nlmsghdr>, index: Int32, up: Bool?) {
        var info = ifinfomsg()
        info.ifi_family = UInt8(AF_UNSPEC)
        info.ifi_index = index
        if let up {
            info.ifi_flags = up ? UInt32(IFF_UP.rawValue) : 0
            info.ifi_change = UInt32(IFF_UP.rawValue)
        }
        mnl_nlmsg_put_extra_header(header, MemoryLayout<ifinfomsg>.size)?.storeBytes(of: info, as: ifinfomsg.self)
    }

    private static func putHardwareAddress(_ header: UnsafeMutablePointer<nlmsghdr>, _ address: MACAddress) {
        var bytes = address.bytes
        mnl_attr_put(header, UInt16(IFLA_ADDRESS), bytes.count, &bytes)
    }

    /// IFLA_LINKINFO: kind macvlan, mode bridge.
    private static func putMacvlanBridgeMode(_ header: UnsafeMutablePointer<nlmsghdr>) {
        let linkInfo = mnl_attr_nest_start(header, UInt16(IFLA_LINKINFO))
        mnl_attr_put_strz(header, UInt16(IFLA_INFO_KIND), "macvlan")
        let data = mnl_attr_nest_start(header, UInt16(IFLA_INFO_DATA))
        mnl_attr_put_u32(header, UInt16(IFLA_MACVLAN_MODE), UInt32(MACVLAN_MODE_BRIDGE.rawValue))
        mnl_attr_nest_end(header, data)
        mnl_attr_nest_end(header, linkInfo)
    }

    // MARK: - rtnetlink requests

    private func request(
        operation: String, detail: String, build: (UnsafeMutablePointer<nlmsghdr>) -> Void
    ) throws(NetworkDriverError) {
        try withRouteSocket { socket throws(NetworkDriverError) in
            try socket.acknowledged(operation: operation, detail: detail, build: build)
        }
    }

    /// A dump, retried while the kernel reports it interrupted by a concurrent change.
    private func dump<Element: Sendable>(
        operation: String, build: (UnsafeMutablePointer<nlmsghdr>) -> Void,
        decode: (UnsafePointer<nlmsghdr>) -> Element?
    ) throws(NetworkDriverError) -> [Element] {
        try withRouteSocket { socket throws(NetworkDriverError) in
            var elements: [Element] = []
            for _ in 0..<10 {
                elements = []
                let complete = try socket.dump(operation: operation, build: build) { message in
                    if let element = decode(message) { elements.append(element) }
                }
                if complete { return elements }
            }
            throw NetworkDriverError(operation: operation, code: EINTR, detail: "dump kept being interrupted")
        }
    }

    /// Runs `body` with the request socket, holding the lock, and replaces a socket that a failure
    /// left unusable.
    private func withRouteSocket<Result: Sendable>(
        _ body: (RouteSocket) throws(NetworkDriverError) -> Result
    ) throws(NetworkDriverError) -> Result {
        let namespace = self.namespace
        return try routeSocket.withLock { (slot: inout RouteSocket?) throws(NetworkDriverError) -> sending Result in
            let socket: RouteSocket
            if let open = slot {
                socket = open
            } else {
                socket = try RouteSocket(namespace: namespace)
                slot = socket
            }
            do throws(NetworkDriverError) {
                return try body(socket)
            } catch {
                if !socket.isUsable { slot = nil }
                throw error
            }
        }
    }

    private func validate(prefixLength: Int, of address: IPAddress, operation: String) throws(NetworkDriverError) {
        guard (0...address.family.bitWidth).contains(prefixLength) else {
            throw NetworkDriverError(
                operation: operation, code: EINVAL, detail: "prefix length \(prefixLength) for \(address)")
        }
    }

    private static func putAddressHeader(
        _ header: UnsafeMutablePointer<nlmsghdr>, address: IPAddress, prefixLength: Int, link: Int32, flags: UInt32
    ) {
        var info = ifaddrmsg()
        info.ifa_family = UInt8(address.family == .ipv4 ? AF_INET : AF_INET6)
        info.ifa_prefixlen = UInt8(prefixLength)
        info.ifa_flags = UInt8(truncatingIfNeeded: flags)
        info.ifa_scope = UInt8(RT_SCOPE_UNIVERSE.rawValue)
        info.ifa_index = UInt32(bitPattern: link)
        mnl_nlmsg_put_extra_header(header, MemoryLayout<ifaddrmsg>.size)?.storeBytes(of: info, as: ifaddrmsg.self)
        var bytes = RouteMessages.bytes(of: address)
        mnl_attr_put(header, UInt16(IFA_LOCAL), bytes.count, &bytes)
        mnl_attr_put(header, UInt16(IFA_ADDRESS), bytes.count, &bytes)
    }
}
