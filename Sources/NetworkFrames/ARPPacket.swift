import NetworkAddresses

/// An RFC 826 ARP packet for IPv4 over Ethernet, the only combination the node agent speaks.
public struct ARPPacket: Hashable, Sendable {
    public enum Operation: UInt16, Hashable, Sendable {
        case request = 1
        case reply = 2
    }

    public var operation: Operation
    public var senderHardwareAddress: MACAddress
    /// Always IPv4.
    public var senderProtocolAddress: IPAddress
    public var targetHardwareAddress: MACAddress
    /// Always IPv4.
    public var targetProtocolAddress: IPAddress

    /// htype 1, ptype 0x0800, hlen 6, plen 4, then the four addresses: 28 bytes.
    public static let length = 28

    /// Both protocol addresses must be IPv4: callers choose ARP or neighbour discovery by the
    /// address family, so an IPv6 address here is a programming error, not input.
    public init(
        operation: Operation,
        senderHardwareAddress: MACAddress,
        senderProtocolAddress: IPAddress,
        targetHardwareAddress: MACAddress,
        targetProtocolAddress: IPAddress
    ) {
        precondition(senderProtocolAddress.family == .ipv4, "ARP carries IPv4 addresses only")
        precondition(targetProtocolAddress.family == .ipv4, "ARP carries IPv4 addresses only")
        self.operation = operation
        self.senderHardwareAddress = senderHardwareAddress
        self.senderProtocolAddress = senderProtocolAddress
        self.targetHardwareAddress = targetHardwareAddress
        self.targetProtocolAddress = targetProtocolAddress
    }

    /// The gratuitous ARP request that announces `address` at `hardwareAddress`: sender and
    /// target IP are both the address, as upstream kube-vip and `arping -U` send it.
    ///
    /// The target MAC defaults to broadcast because that is what upstream kube-vip and iputils
    /// `arping -U` put there (checked in the testbed capture); RFC 5227 §2.3 would use zero, and
    /// receivers ignore the field either way, so pass `.zero` for the RFC form.
    public static func gratuitousRequest(
        announcing address: IPAddress,
        at hardwareAddress: MACAddress,
        targetHardwareAddress: MACAddress = .broadcast
    ) -> ARPPacket {
        ARPPacket(
            operation: .request,
            senderHardwareAddress: hardwareAddress,
            senderProtocolAddress: address,
            targetHardwareAddress: targetHardwareAddress,
            targetProtocolAddress: address)
    }

    /// The gratuitous ARP reply form (`arping -A`), which upstream kube-vip alternates with the
    /// request because some hosts only update their caches from one of the two.
    public static func gratuitousReply(announcing address: IPAddress, at hardwareAddress: MACAddress) -> ARPPacket {
        ARPPacket(
            operation: .reply,
            senderHardwareAddress: hardwareAddress,
            senderProtocolAddress: address,
            targetHardwareAddress: hardwareAddress,
            targetProtocolAddress: address)
    }

    /// An RFC 5227 §2.1.1 probe asking whether anyone already uses `candidate`: sender IP 0.0.0.0
    /// so that no neighbour cache learns a mapping for an address that may not be ours.
    public static func probe(for candidate: IPAddress, from hardwareAddress: MACAddress) -> ARPPacket {
        ARPPacket(
            operation: .request,
            senderHardwareAddress: hardwareAddress,
            senderProtocolAddress: IPAddress(ipv4: 0),
            targetHardwareAddress: .zero,
            targetProtocolAddress: candidate)
    }

    /// Sender and target IP equal: an announcement (or a conflicting claim) rather than a query.
    public var isGratuitous: Bool {
        senderProtocolAddress == targetProtocolAddress
    }

    public func encode() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.length)
        bytes.appendBigEndian(UInt16(1))
        bytes.appendBigEndian(EtherType.ipv4.rawValue)
        bytes.append(6)
        bytes.append(4)
        bytes.appendBigEndian(operation.rawValue)
        bytes.append(senderHardwareAddress)
        bytes.append(senderProtocolAddress)
        bytes.append(targetHardwareAddress)
        bytes.append(targetProtocolAddress)
        return bytes
    }

    /// The packet in a frame from the sender's hardware address; broadcast by default, where
    /// announcements and probes go.
    public func ethernetFrame(destination: MACAddress = .broadcast) -> EthernetFrame {
        EthernetFrame(destination: destination, source: senderHardwareAddress, etherType: .arp, payload: encode())
    }

    /// Bytes after the 28-byte packet (Ethernet padding) are ignored.
    public static func decode(_ input: some Collection<UInt8>) throws(FrameDecodingError) -> ARPPacket {
        var reader = ByteReader(Array(input), layer: .arp)
        let hardwareType = try reader.readUInt16()
        let protocolType = try reader.readUInt16()
        let hardwareLength = try reader.readUInt8()
        let protocolLength = try reader.readUInt8()
        guard hardwareType == 1 else {
            throw .unsupportedARPHardwareType(hardwareType)
        }
        guard protocolType == EtherType.ipv4.rawValue else {
            throw .unsupportedARPProtocolType(protocolType)
        }
        guard hardwareLength == 6, protocolLength == 4 else {
            throw .unsupportedARPAddressLengths(hardware: hardwareLength, protocol: protocolLength)
        }
        let operationCode = try reader.readUInt16()
        guard let operation = Operation(rawValue: operationCode) else {
            throw .unknownARPOperation(operationCode)
        }
        let senderHardware = try reader.readMAC()
        let senderProtocol = try reader.readIPv4()
        let targetHardware = try reader.readMAC()
        let targetProtocol = try reader.readIPv4()
        return ARPPacket(
            operation: operation,
            senderHardwareAddress: senderHardware,
            senderProtocolAddress: senderProtocol,
            targetHardwareAddress: targetHardware,
            targetProtocolAddress: targetProtocol)
    }

    /// Decodes the payload of a frame, refusing frames of other protocols.
    public static func decode(_ frame: EthernetFrame) throws(FrameDecodingError) -> ARPPacket {
        guard frame.etherType == .arp else {
            throw .unexpectedEtherType(frame.etherType)
        }
        return try decode(frame.payload)
    }
}
