import NetworkAddresses

/// The body of an ICMPv6 Neighbor Advertisement (type 136, RFC 4861 §4.4).
public struct NeighborAdvertisement: Hashable, Sendable {
    public static let icmpType: UInt8 = 136

    /// R: the sender is a router.
    public var isRouter: Bool
    /// S: an answer to a solicitation; must be clear in unsolicited advertisements.
    public var isSolicited: Bool
    /// O: replace an existing cache entry, which is what moves a VIP to a new node.
    public var isOverride: Bool
    public var target: IPAddress
    public var targetLinkLayerAddress: MACAddress?

    public init(
        isRouter: Bool = false,
        isSolicited: Bool,
        isOverride: Bool,
        target: IPAddress,
        targetLinkLayerAddress: MACAddress?
    ) {
        precondition(target.family == .ipv6, "neighbour discovery targets are IPv6")
        self.isRouter = isRouter
        self.isSolicited = isSolicited
        self.isOverride = isOverride
        self.target = target
        self.targetLinkLayerAddress = targetLinkLayerAddress
    }

    private static let routerFlag: UInt8 = 0x80
    private static let solicitedFlag: UInt8 = 0x40
    private static let overrideFlag: UInt8 = 0x20

    /// Everything after the ICMPv6 type, code and checksum.
    func encodeBody() -> [UInt8] {
        var flags: UInt8 = 0
        if isRouter { flags |= Self.routerFlag }
        if isSolicited { flags |= Self.solicitedFlag }
        if isOverride { flags |= Self.overrideFlag }
        var bytes: [UInt8] = [flags, 0, 0, 0]
        bytes.append(target)
        if let targetLinkLayerAddress {
            bytes += NeighborDiscoveryOptions.encodeLinkLayerAddress(
                type: NeighborDiscoveryOptions.targetLinkLayerAddress, targetLinkLayerAddress)
        }
        return bytes
    }

    /// Reserved bits are ignored on receipt, as RFC 4861 requires.
    static func decodeBody(_ reader: inout ByteReader) throws(FrameDecodingError) -> NeighborAdvertisement {
        let flags = try reader.readUInt8()
        try reader.skip(3)
        let target = try reader.readIPv6()
        let options = try reader.readBytes(reader.remaining)
        let linkLayer = try NeighborDiscoveryOptions.linkLayerAddress(
            ofType: NeighborDiscoveryOptions.targetLinkLayerAddress, in: options)
        return NeighborAdvertisement(
            isRouter: flags & routerFlag != 0,
            isSolicited: flags & solicitedFlag != 0,
            isOverride: flags & overrideFlag != 0,
            target: target,
            targetLinkLayerAddress: linkLayer)
    }
}
