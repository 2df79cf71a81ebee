import NetworkAddresses

/// The RFC 791 IPv4 header, enough to carry DHCP over a raw socket before the host has an address
/// (when the kernel's UDP stack cannot send from 0.0.0.0 or receive for an address it lacks).
public struct IPv4Header: Hashable, Sendable {
    /// The former type-of-service byte (DSCP and ECN).
    public var typeOfService: UInt8
    /// Header plus payload, in bytes.
    public var totalLength: UInt16
    public var identification: UInt16
    public var dontFragment: Bool
    public var timeToLive: UInt8
    /// The IANA protocol number of the payload (17 for UDP).
    public var protocolNumber: UInt8
    /// Always IPv4.
    public var source: IPAddress
    /// Always IPv4.
    public var destination: IPAddress

    /// The header without options, the only form this encoder writes.
    public static let length = 20
    public static let udpProtocolNumber: UInt8 = 17

    /// Both addresses must be IPv4: the caller chose IPv4 framing, so anything else is a
    /// programming error, not input (as for ARP).
    public init(
        typeOfService: UInt8 = 0,
        totalLength: UInt16,
        identification: UInt16 = 0,
        dontFragment: Bool = false,
        timeToLive: UInt8,
        protocolNumber: UInt8,
        source: IPAddress,
        destination: IPAddress
    ) {
        precondition(source.family == .ipv4 && destination.family == .ipv4, "IPv4 header needs IPv4 addresses")
        self.typeOfService = typeOfService
        self.totalLength = totalLength
        self.identification = identification
        self.dontFragment = dontFragment
        self.timeToLive = timeToLive
        self.protocolNumber = protocolNumber
        self.source = source
        self.destination = destination
    }

    /// The 20-byte header (IHL 5, no options) with its checksum filled in.
    public func encode() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.length)
        bytes.append(0x45)
        bytes.append(typeOfService)
        bytes.appendBigEndian(totalLength)
        bytes.appendBigEndian(identification)
        bytes.appendBigEndian(dontFragment ? UInt16(0x4000) : 0)
        bytes.append(timeToLive)
        bytes.append(protocolNumber)
        bytes.appendBigEndian(UInt16(0))
        bytes.appendIPv4(source)
        bytes.appendIPv4(destination)
        let checksum = InternetChecksum.of(bytes)
        bytes[10] = UInt8(truncatingIfNeeded: checksum >> 8)
        bytes[11] = UInt8(truncatingIfNeeded: checksum)
        return bytes
    }

    /// Decodes the header at the start of a whole packet, as a receiver must check it: version 4,
    /// a correct header checksum, a total length that fits in `input` (bytes beyond it, such as
    /// Ethernet padding, are allowed), and no fragmentation. Options (IHL > 5) are skipped.
    public static func decode(_ input: some Collection<UInt8>) throws(FrameDecodingError) -> IPv4Header {
        try decodeWithLength(Array(input)).header
    }

    /// The header and where its payload starts (after any options).
    internal static func decodeWithLength(_ bytes: [UInt8]) throws(FrameDecodingError)
        -> (header: IPv4Header, headerLength: Int)
    {
        var reader = ByteReader(bytes, layer: .ipv4)
        let versionAndLength = try reader.readUInt8()
        let version = versionAndLength >> 4
        guard version == 4 else {
            throw .notIPv4(version: version)
        }
        let words = versionAndLength & 0x0F
        guard words >= 5 else {
            throw .invalidIPv4HeaderLength(words: words)
        }
        let headerLength = Int(words) * 4
        try reader.require(headerLength - 1)
        let computed = InternetChecksum.of(bytes[0..<headerLength])
        guard computed == 0 else {
            var zeroed = Array(bytes[0..<headerLength])
            zeroed[10] = 0
            zeroed[11] = 0
            let received = UInt16(bytes[10]) << 8 | UInt16(bytes[11])
            throw .ipv4HeaderChecksumMismatch(received: received, computed: InternetChecksum.of(zeroed))
        }
        let typeOfService = try reader.readUInt8()
        let totalLength = try reader.readUInt16()
        guard Int(totalLength) >= headerLength else {
            throw .invalidIPv4TotalLength(totalLength)
        }
        guard Int(totalLength) <= bytes.count else {
            throw .truncated(.ipv4, needed: Int(totalLength), available: bytes.count)
        }
        let identification = try reader.readUInt16()
        let flagsAndOffset = try reader.readUInt16()
        let moreFragments = flagsAndOffset & 0x2000 != 0
        let offset = (flagsAndOffset & 0x1FFF) &* 8
        guard !moreFragments && offset == 0 else {
            throw .ipv4Fragment(offset: offset, moreFragments: moreFragments)
        }
        let timeToLive = try reader.readUInt8()
        let protocolNumber = try reader.readUInt8()
        try reader.skip(2)
        let source = try reader.readIPv4()
        let destination = try reader.readIPv4()
        let header = IPv4Header(
            typeOfService: typeOfService,
            totalLength: totalLength,
            identification: identification,
            dontFragment: flagsAndOffset & 0x4000 != 0,
            timeToLive: timeToLive,
            protocolNumber: protocolNumber,
            source: source,
            destination: destination)
        return (header, headerLength)
    }
}

/// An IPv4 header and the payload its total length covers.
public struct IPv4Packet: Hashable, Sendable {
    public var header: IPv4Header
    public var payload: [UInt8]

    public init(header: IPv4Header, payload: [UInt8]) {
        self.header = header
        self.payload = payload
    }

    /// The packet with the header's total length set from the payload, so callers cannot send a
    /// stale one. A payload beyond 65515 bytes cannot be an IPv4 packet and is a programming error.
    public func encode() -> [UInt8] {
        precondition(payload.count <= Int(UInt16.max) - IPv4Header.length, "IPv4 payload too long")
        var header = header
        header.totalLength = UInt16(IPv4Header.length + payload.count)
        return header.encode() + payload
    }

    /// Validates the header as `IPv4Header.decode` does; the payload ends at the total length, so
    /// Ethernet padding after the packet is dropped, and IP options are skipped.
    public static func decode(_ input: some Collection<UInt8>) throws(FrameDecodingError) -> IPv4Packet {
        let bytes = Array(input)
        let (header, headerLength) = try IPv4Header.decodeWithLength(bytes)
        return IPv4Packet(header: header, payload: Array(bytes[headerLength..<Int(header.totalLength)]))
    }
}

extension Array where Element == UInt8 {
    /// Four bytes, for the fixed-size IPv4 address fields of IPv4, UDP pseudo-headers and BOOTP,
    /// where an IPv6 address cannot be represented and would shift every later field.
    internal mutating func appendIPv4(_ address: IPAddress) {
        precondition(address.family == .ipv4, "an IPv4 field needs an IPv4 address")
        appendBigEndian(UInt32(truncatingIfNeeded: address.value))
    }
}
