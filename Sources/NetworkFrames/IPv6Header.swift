import NetworkAddresses

/// The fixed 40-byte IPv6 header (RFC 8200 §3), enough to carry neighbour discovery.
public struct IPv6Header: Hashable, Sendable {
    public var trafficClass: UInt8
    /// The low 20 bits are used.
    public var flowLabel: UInt32
    public var payloadLength: UInt16
    public var nextHeader: UInt8
    public var hopLimit: UInt8
    public var source: IPAddress
    public var destination: IPAddress

    public static let length = 40
    public static let icmpv6NextHeader: UInt8 = 58

    /// Both addresses must be IPv6 (a programming error otherwise, as for ARP).
    public init(
        trafficClass: UInt8 = 0,
        flowLabel: UInt32 = 0,
        payloadLength: UInt16,
        nextHeader: UInt8,
        hopLimit: UInt8,
        source: IPAddress,
        destination: IPAddress
    ) {
        precondition(source.family == .ipv6 && destination.family == .ipv6, "IPv6 header needs IPv6 addresses")
        self.trafficClass = trafficClass
        self.flowLabel = flowLabel & 0xF_FFFF
        self.payloadLength = payloadLength
        self.nextHeader = nextHeader
        self.hopLimit = hopLimit
        self.source = source
        self.destination = destination
    }

    public func encode() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.length)
        bytes.appendBigEndian(UInt32(6) << 28 | UInt32(trafficClass) << 20 | flowLabel & 0xF_FFFF)
        bytes.appendBigEndian(payloadLength)
        bytes.append(nextHeader)
        bytes.append(hopLimit)
        bytes.appendBigEndian(source.value)
        bytes.appendBigEndian(destination.value)
        return bytes
    }

    /// Decodes the header only; the payload starts at byte 40.
    public static func decode(_ input: some Collection<UInt8>) throws(FrameDecodingError) -> IPv6Header {
        var reader = ByteReader(Array(input.prefix(length)), layer: .ipv6)
        let first = try reader.readUInt32()
        let version = UInt8(truncatingIfNeeded: first >> 28)
        guard version == 6 else {
            throw .notIPv6(version: version)
        }
        let payloadLength = try reader.readUInt16()
        let nextHeader = try reader.readUInt8()
        let hopLimit = try reader.readUInt8()
        let source = try reader.readIPv6()
        let destination = try reader.readIPv6()
        return IPv6Header(
            trafficClass: UInt8(truncatingIfNeeded: first >> 20),
            flowLabel: first & 0xF_FFFF,
            payloadLength: payloadLength,
            nextHeader: nextHeader,
            hopLimit: hopLimit,
            source: source,
            destination: destination)
    }
}
