import NetworkAddresses

/// The body of an ICMPv6 Neighbor Solicitation (type 135, RFC 4861 §4.3).
public struct NeighborSolicitation: Hashable, Sendable {
    public static let icmpType: UInt8 = 135

    public var target: IPAddress
    /// Absent in duplicate address detection probes, which must not teach anyone a mapping.
    public var sourceLinkLayerAddress: MACAddress?

    public init(target: IPAddress, sourceLinkLayerAddress: MACAddress? = nil) {
        precondition(target.family == .ipv6, "neighbour discovery targets are IPv6")
        self.target = target
        self.sourceLinkLayerAddress = sourceLinkLayerAddress
    }

    /// Everything after the ICMPv6 type, code and checksum.
    func encodeBody() -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0, 0]
        bytes.append(target)
        if let sourceLinkLayerAddress {
            bytes += NeighborDiscoveryOptions.encodeLinkLayerAddress(
                type: NeighborDiscoveryOptions.sourceLinkLayerAddress, sourceLinkLayerAddress)
        }
        return bytes
    }

    static func decodeBody(_ reader: inout ByteReader) throws(FrameDecodingError) -> NeighborSolicitation {
        try reader.skip(4)
        let target = try reader.readIPv6()
        let options = try reader.readBytes(reader.remaining)
        let source = try NeighborDiscoveryOptions.linkLayerAddress(
            ofType: NeighborDiscoveryOptions.sourceLinkLayerAddress, in: options)
        return NeighborSolicitation(target: target, sourceLinkLayerAddress: source)
    }
}
