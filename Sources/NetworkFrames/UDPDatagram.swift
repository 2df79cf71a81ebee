import NetworkAddresses

/// An RFC 768 UDP datagram over IPv4.
public struct UDPDatagram: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var payload: [UInt8]

    /// Ports, length, checksum.
    public static let headerLength = 8

    public init(sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8]) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payload = payload
    }

    /// The datagram with its checksum over the IPv4 pseudo-header of `source` and `destination`,
    /// which must be the addresses of the IPv4 header that will carry it. A payload longer than
    /// the 16-bit length field allows is a programming error.
    public func encode(source: IPAddress, destination: IPAddress) -> [UInt8] {
        let length = Self.headerLength + payload.count
        precondition(length <= Int(UInt16.max), "UDP payload too long")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        bytes.appendBigEndian(sourcePort)
        bytes.appendBigEndian(destinationPort)
        bytes.appendBigEndian(UInt16(length))
        bytes.appendBigEndian(UInt16(0))
        bytes.append(contentsOf: payload)
        // Zero on the wire means "not computed", so a computed zero is sent as its one's-complement
        // twin 0xFFFF (RFC 768).
        let checksum = InternetChecksum.udp(source: source, destination: destination, datagram: bytes)
        let transmitted = checksum == 0 ? 0xFFFF : checksum
        bytes[6] = UInt8(truncatingIfNeeded: transmitted >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: transmitted)
        return bytes
    }

    /// Decodes an IPv4 packet's payload. The payload ends at the UDP length. The checksum field is
    /// accepted when it is right for the pseudo-header of `source` and `destination`, when it is
    /// zero (the sender computed none, allowed over IPv4), or when it is the checksum-offload
    /// placeholder (see `offloadPlaceholder`). The addresses come from the IPv4 header that carried
    /// the datagram, so an IPv6 address is a programming error.
    public static func decode(_ input: some Collection<UInt8>, source: IPAddress, destination: IPAddress)
        throws(FrameDecodingError) -> UDPDatagram
    {
        let bytes = Array(input)
        var reader = ByteReader(bytes, layer: .udp)
        let sourcePort = try reader.readUInt16()
        let destinationPort = try reader.readUInt16()
        let length = try reader.readUInt16()
        let received = try reader.readUInt16()
        guard Int(length) >= headerLength else {
            throw .invalidUDPLength(length)
        }
        guard Int(length) <= bytes.count else {
            throw .truncated(.udp, needed: Int(length), available: bytes.count)
        }
        let datagram = bytes[0..<Int(length)]
        if received != 0 && received != offloadPlaceholder(source: source, destination: destination, length: length) {
            let computed = InternetChecksum.udp(source: source, destination: destination, datagram: datagram)
            guard computed == 0 else {
                var zeroed = Array(datagram)
                zeroed[6] = 0
                zeroed[7] = 0
                let expected = InternetChecksum.udp(source: source, destination: destination, datagram: zeroed)
                throw .udpChecksumMismatch(received: received, computed: expected == 0 ? 0xFFFF : expected)
            }
        }
        return UDPDatagram(
            sourcePort: sourcePort, destinationPort: destinationPort,
            payload: Array(bytes[headerLength..<Int(length)]))
    }
}

extension UDPDatagram {
    /// What the checksum field holds when the sender left the checksum to the NIC (Linux
    /// CHECKSUM_PARTIAL): the folded, uncomplemented sum of the pseudo-header alone.
    ///
    /// A datagram that never left the host, such as a DHCP server's reply over a veth or macvlan
    /// link, reaches an AF_PACKET socket in that state (PACKET_AUXDATA would flag it
    /// TP_STATUS_CSUMNOTREADY), so strict checking would refuse every such reply; dnsmasq's, in a
    /// namespace lab, arrive exactly like this. Accepting the placeholder costs little: a datagram
    /// from the wire has a real checksum, which matches the placeholder by chance once in 65536,
    /// and the Ethernet FCS has already caught damage on the link.
    public static func offloadPlaceholder(source: IPAddress, destination: IPAddress, length: UInt16) -> UInt16 {
        ~InternetChecksum.of(InternetChecksum.udpPseudoHeader(source: source, destination: destination, length: length))
    }
}

extension InternetChecksum {
    /// The checksum of a UDP datagram over the RFC 768 IPv4 pseudo-header (source, destination,
    /// zero, protocol 17, UDP length): 0 for a received datagram whose checksum field is right.
    ///
    /// The pseudo-header ties the datagram to its addresses, so a DHCP reply delivered with a
    /// damaged IP address is refused rather than trusted.
    public static func udp(source: IPAddress, destination: IPAddress, datagram: some Collection<UInt8>) -> UInt16 {
        var bytes = udpPseudoHeader(
            source: source, destination: destination, length: UInt16(truncatingIfNeeded: datagram.count))
        bytes.append(contentsOf: datagram)
        return of(bytes)
    }

    /// Source, destination, zero, protocol 17, UDP length: 12 bytes.
    internal static func udpPseudoHeader(source: IPAddress, destination: IPAddress, length: UInt16) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12 + Int(length))
        bytes.appendIPv4(source)
        bytes.appendIPv4(destination)
        bytes.append(0)
        bytes.append(IPv4Header.udpProtocolNumber)
        bytes.appendBigEndian(length)
        return bytes
    }
}
