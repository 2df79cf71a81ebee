/// An Ethernet II frame without preamble and FCS, as read from and written to an AF_PACKET
/// SOCK_RAW socket.
public struct EthernetFrame: Hashable, Sendable {
    public var destination: MACAddress
    public var source: MACAddress
    public var etherType: EtherType
    public var payload: [UInt8]

    /// Destination, source and type: 14 bytes.
    public static let headerLength = 14

    public init(destination: MACAddress, source: MACAddress, etherType: EtherType, payload: [UInt8]) {
        self.destination = destination
        self.source = source
        self.etherType = etherType
        self.payload = payload
    }

    /// The frame without padding: the kernel pads short frames on real NICs, and veth links
    /// carry them unpadded, so padding here would only change what captures show.
    public func encode() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.headerLength + payload.count)
        bytes.append(destination)
        bytes.append(source)
        bytes.appendBigEndian(etherType.rawValue)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// The payload keeps any trailing padding; the inner decoders know their own lengths.
    /// 802.1Q tags are not stripped: a tagged frame decodes with EtherType 0x8100.
    public static func decode(_ input: some Collection<UInt8>) throws(FrameDecodingError) -> EthernetFrame {
        var reader = ByteReader(Array(input), layer: .ethernet)
        let destination = try reader.readMAC()
        let source = try reader.readMAC()
        let typeField = try reader.readUInt16()
        guard typeField >= 0x0600 else {
            throw .notEthernetII(lengthField: typeField)
        }
        let payload = try reader.readBytes(reader.remaining)
        return EthernetFrame(
            destination: destination, source: source, etherType: EtherType(rawValue: typeField), payload: payload)
    }
}
