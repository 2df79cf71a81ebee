import NetworkAddresses

/// DHCP client traffic as whole Ethernet frames, for an AF_PACKET socket: a client without an
/// address cannot use the kernel's UDP stack to send from 0.0.0.0 or to hear replies to an
/// address it does not hold yet.
public enum DHCPFrame {
    /// Where a client listens and sends from (RFC 2131 §4.1).
    public static let clientPort: UInt16 = 68
    /// Where servers and relays listen.
    public static let serverPort: UInt16 = 67
    /// The usual Linux default; DHCP stays on the link (or reaches a relay) either way.
    public static let timeToLive: UInt8 = 64

    /// One DHCP message as received, with the addresses it came with.
    public struct Received: Hashable, Sendable {
        public var sourceHardwareAddress: MACAddress
        public var destinationHardwareAddress: MACAddress
        public var source: IPAddress
        public var destination: IPAddress
        /// 67 from a server or relay; kept so that a caller can refuse anything else.
        public var sourcePort: UInt16
        public var message: DHCPMessage

        public init(
            sourceHardwareAddress: MACAddress, destinationHardwareAddress: MACAddress, source: IPAddress,
            destination: IPAddress, sourcePort: UInt16, message: DHCPMessage
        ) {
            self.sourceHardwareAddress = sourceHardwareAddress
            self.destinationHardwareAddress = destinationHardwareAddress
            self.source = source
            self.destination = destination
            self.sourcePort = sourcePort
            self.message = message
        }
    }

    /// Ethernet + IPv4 (TTL 64, DF clear, identification 0) + UDP 68 -> 67 + the message, with both
    /// checksums. Identification 0 is fine because the datagram is never fragmented. `source` and
    /// `destination` must be IPv4: 0.0.0.0 and broadcast before a lease, the lease and the server
    /// when renewing. The ports are parameters only so that tests can play the server (67 -> 68).
    public static func encode(
        _ message: DHCPMessage, sourceHardwareAddress: MACAddress, destinationHardwareAddress: MACAddress,
        source: IPAddress, destination: IPAddress, sourcePort: UInt16 = clientPort,
        destinationPort: UInt16 = serverPort
    ) -> [UInt8] {
        let udp = UDPDatagram(sourcePort: sourcePort, destinationPort: destinationPort, payload: message.encode())
        let payload = udp.encode(source: source, destination: destination)
        let header = IPv4Header(
            totalLength: UInt16(truncatingIfNeeded: IPv4Header.length + payload.count),
            timeToLive: timeToLive,
            protocolNumber: IPv4Header.udpProtocolNumber,
            source: source,
            destination: destination)
        let packet = IPv4Packet(header: header, payload: payload)
        return EthernetFrame(
            destination: destinationHardwareAddress, source: sourceHardwareAddress, etherType: .ipv4,
            payload: packet.encode()
        ).encode()
    }

    /// A received frame carrying a DHCP message to the client port.
    ///
    /// "Not for us" is told apart from damage: another EtherType throws `unexpectedEtherType`, and
    /// a valid IPv4 packet that is not UDP to port 68 throws `notDHCPClientTraffic`, before the
    /// UDP checksum or the payload are looked at (another program's traffic is not ours to judge).
    /// Everything else thrown means the frame claimed to be DHCP client traffic and was not sound.
    /// Bytes after the IPv4 total length (Ethernet minimum-size padding) are ignored.
    public static func decode(_ frame: some Collection<UInt8>) throws(FrameDecodingError) -> Received {
        let ethernet = try EthernetFrame.decode(frame)
        guard ethernet.etherType == .ipv4 else {
            throw .unexpectedEtherType(ethernet.etherType)
        }
        let packet = try IPv4Packet.decode(ethernet.payload)
        let header = packet.header
        guard header.protocolNumber == IPv4Header.udpProtocolNumber else {
            throw .notDHCPClientTraffic(ipProtocol: header.protocolNumber, destinationPort: nil)
        }
        var ports = ByteReader(packet.payload, layer: .udp)
        try ports.skip(2)
        let destinationPort = try ports.readUInt16()
        guard destinationPort == clientPort else {
            throw .notDHCPClientTraffic(ipProtocol: header.protocolNumber, destinationPort: destinationPort)
        }
        let datagram = try UDPDatagram.decode(packet.payload, source: header.source, destination: header.destination)
        return Received(
            sourceHardwareAddress: ethernet.source,
            destinationHardwareAddress: ethernet.destination,
            source: header.source,
            destination: header.destination,
            sourcePort: datagram.sourcePort,
            message: try DHCPMessage.decode(datagram.payload))
    }
}
