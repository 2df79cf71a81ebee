import NetworkAddresses

/// The neighbour discovery messages the node agent sends and listens for.
public enum NeighborDiscoveryMessage: Hashable, Sendable {
    case solicitation(NeighborSolicitation)
    case advertisement(NeighborAdvertisement)

    public var target: IPAddress {
        switch self {
        case .solicitation(let message): message.target
        case .advertisement(let message): message.target
        }
    }
}

/// An IPv6 packet carrying one neighbour discovery message: the IPv6 header with hop limit 255,
/// the ICMPv6 header with its pseudo-header checksum, then the message.
public struct NeighborDiscoveryPacket: Hashable, Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    public var message: NeighborDiscoveryMessage

    /// RFC 4861 sends every message with 255 and drops any other value on receipt, which proves
    /// the sender is on the link.
    public static let hopLimit: UInt8 = 255

    /// ICMPv6 header (4) plus reserved/flags (4) plus target (16).
    static let minimumMessageLength = 24

    public init(source: IPAddress, destination: IPAddress, message: NeighborDiscoveryMessage) {
        precondition(source.family == .ipv6 && destination.family == .ipv6, "neighbour discovery runs over IPv6")
        self.source = source
        self.destination = destination
        self.message = message
    }

    /// The advertisement upstream kube-vip sends for an IPv6 VIP: unsolicited (S=0), Override set
    /// so that caches holding the previous owner switch, to all nodes, from the interface's
    /// link-local address.
    public static func unsolicitedAdvertisement(
        announcing address: IPAddress,
        at hardwareAddress: MACAddress,
        from linkLocalSource: IPAddress
    ) -> NeighborDiscoveryPacket {
        NeighborDiscoveryPacket(
            source: linkLocalSource,
            destination: .ipv6AllNodes,
            message: .advertisement(
                NeighborAdvertisement(
                    isSolicited: false, isOverride: true, target: address, targetLinkLayerAddress: hardwareAddress)))
    }

    /// An RFC 4862 §5.4 duplicate address detection probe for `candidate`: from ::, to the
    /// candidate's solicited-node group, without a source link-layer address option.
    public static func duplicateAddressProbe(for candidate: IPAddress) -> NeighborDiscoveryPacket {
        NeighborDiscoveryPacket(
            source: .ipv6Unspecified,
            destination: .solicitedNodeMulticast(for: candidate),
            message: .solicitation(NeighborSolicitation(target: candidate)))
    }

    /// The ICMPv6 message with its checksum filled in.
    public func encodeICMPv6() -> [UInt8] {
        var bytes: [UInt8]
        switch message {
        case .solicitation(let solicitation):
            bytes = [NeighborSolicitation.icmpType, 0, 0, 0] + solicitation.encodeBody()
        case .advertisement(let advertisement):
            bytes = [NeighborAdvertisement.icmpType, 0, 0, 0] + advertisement.encodeBody()
        }
        let checksum = InternetChecksum.icmpv6(source: source, destination: destination, message: bytes)
        bytes[2] = UInt8(truncatingIfNeeded: checksum >> 8)
        bytes[3] = UInt8(truncatingIfNeeded: checksum)
        return bytes
    }

    /// The whole IPv6 packet.
    public func encode() -> [UInt8] {
        let icmp = encodeICMPv6()
        let header = IPv6Header(
            payloadLength: UInt16(truncatingIfNeeded: icmp.count),
            nextHeader: IPv6Header.icmpv6NextHeader,
            hopLimit: Self.hopLimit,
            source: source,
            destination: destination)
        return header.encode() + icmp
    }

    /// The packet in an IPv6 Ethernet frame. For a multicast destination, pass
    /// `MACAddress(ipv6Multicast: destination)`; unicast destinations need the neighbour's MAC.
    public func ethernetFrame(source hardwareSource: MACAddress, destination hardwareDestination: MACAddress)
        -> EthernetFrame
    {
        EthernetFrame(destination: hardwareDestination, source: hardwareSource, etherType: .ipv6, payload: encode())
    }

    /// Decodes and validates an IPv6 packet as RFC 4861 §7.1 asks of a receiver: hop limit 255,
    /// correct checksum, code 0, a unicast target, and the DAD and solicited-flag rules. Bytes
    /// beyond the IPv6 payload length (Ethernet padding) are ignored.
    public static func decode(_ input: some Collection<UInt8>) throws(FrameDecodingError) -> NeighborDiscoveryPacket {
        let bytes = Array(input)
        let header = try IPv6Header.decode(bytes)
        guard header.nextHeader == IPv6Header.icmpv6NextHeader else {
            throw .notICMPv6(nextHeader: header.nextHeader)
        }
        guard header.hopLimit == hopLimit else {
            throw .hopLimitNot255(header.hopLimit)
        }
        let end = IPv6Header.length + Int(header.payloadLength)
        guard end <= bytes.count else {
            throw .truncated(.ipv6, needed: end, available: bytes.count)
        }
        let icmp = Array(bytes[IPv6Header.length..<end])
        guard icmp.count >= minimumMessageLength else {
            throw .truncated(.icmpv6, needed: minimumMessageLength, available: icmp.count)
        }
        let computed = InternetChecksum.icmpv6(source: header.source, destination: header.destination, message: icmp)
        guard computed == 0 else {
            var zeroed = icmp
            zeroed[2] = 0
            zeroed[3] = 0
            throw .checksumMismatch(
                received: UInt16(icmp[2]) << 8 | UInt16(icmp[3]),
                computed: InternetChecksum.icmpv6(
                    source: header.source, destination: header.destination, message: zeroed))
        }
        var reader = ByteReader(icmp, layer: .icmpv6)
        let type = try reader.readUInt8()
        let code = try reader.readUInt8()
        try reader.skip(2)
        guard type == NeighborSolicitation.icmpType || type == NeighborAdvertisement.icmpType else {
            throw .notNeighborDiscovery(icmpType: type)
        }
        guard code == 0 else {
            throw .nonZeroICMPCode(code)
        }
        let message: NeighborDiscoveryMessage
        if type == NeighborSolicitation.icmpType {
            let solicitation = try NeighborSolicitation.decodeBody(&reader)
            if header.source == .ipv6Unspecified {
                let toSolicitedNode = header.destination == .solicitedNodeMulticast(for: solicitation.target)
                guard toSolicitedNode && solicitation.sourceLinkLayerAddress == nil else {
                    throw .invalidDuplicateAddressProbe
                }
            }
            message = .solicitation(solicitation)
        } else {
            let advertisement = try NeighborAdvertisement.decodeBody(&reader)
            if advertisement.isSolicited && header.destination.isIPv6Multicast {
                throw .solicitedAdvertisementToMulticast
            }
            message = .advertisement(advertisement)
        }
        guard !message.target.isIPv6Multicast else {
            throw .multicastTarget(message.target)
        }
        return NeighborDiscoveryPacket(source: header.source, destination: header.destination, message: message)
    }

    /// Decodes the payload of a frame, refusing frames of other protocols.
    public static func decode(_ frame: EthernetFrame) throws(FrameDecodingError) -> NeighborDiscoveryPacket {
        guard frame.etherType == .ipv6 else {
            throw .unexpectedEtherType(frame.etherType)
        }
        return try decode(frame.payload)
    }
}
