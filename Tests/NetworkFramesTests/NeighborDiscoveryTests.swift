import NetworkAddresses
import NetworkFrames
import Testing

@Suite("Neighbour discovery packets")
struct NeighborDiscoveryTests {
    let node = mac("02:00:00:00:00:01")
    let vip = address("2001:db8::100")
    let linkLocal = address("fe80::1")

    var advertisementBytes: [UInt8] {
        hexBytes(
            """
            60 00 00 00  00 20  3a  ff
            fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01
            ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01
            88 00 27 64
            20 00 00 00
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 01 00
            02 01  02 00 00 00 00 01
            """)
    }

    var probeBytes: [UInt8] {
        hexBytes(
            """
            60 00 00 00  00 18  3a  ff
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 01 00
            87 00 4a ef
            00 00 00 00
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 01 00
            """)
    }

    @Test("the unsolicited advertisement is O=1 S=0 to ff02::1 with hop limit 255 and the target MAC option")
    func advertisementBytesMatch() {
        let packet = NeighborDiscoveryPacket.unsolicitedAdvertisement(announcing: vip, at: node, from: linkLocal)
        #expect(packet.encode() == advertisementBytes)
    }

    @Test("the DAD probe is from :: to the solicited-node group without a source MAC option")
    func probeBytesMatch() {
        #expect(NeighborDiscoveryPacket.duplicateAddressProbe(for: vip).encode() == probeBytes)
    }

    @Test("the advertisement frame goes to 33:33:00:00:00:01 with EtherType IPv6")
    func advertisementFrame() {
        let packet = NeighborDiscoveryPacket.unsolicitedAdvertisement(announcing: vip, at: node, from: linkLocal)
        let group = MACAddress(ipv6Multicast: packet.destination) ?? .zero
        let frame = packet.ethernetFrame(source: node, destination: group).encode()
        #expect(Array(frame.prefix(14)) == hexBytes("33 33 00 00 00 01  02 00 00 00 00 01  86 dd"))
        #expect(Array(frame.dropFirst(14)) == advertisementBytes)
    }

    @Test("decodes the hand-written advertisement")
    func decodesAdvertisement() throws {
        let packet = try NeighborDiscoveryPacket.decode(advertisementBytes)
        let expected = NeighborAdvertisement(
            isSolicited: false, isOverride: true, target: vip, targetLinkLayerAddress: node)
        #expect(packet.message == .advertisement(expected))
        #expect(packet.source == linkLocal)
        #expect(packet.destination == .ipv6AllNodes)
    }

    @Test("decodes the hand-written DAD probe")
    func decodesProbe() throws {
        let packet = try NeighborDiscoveryPacket.decode(probeBytes)
        #expect(packet == NeighborDiscoveryPacket.duplicateAddressProbe(for: vip))
    }

    @Test("ignores Ethernet padding after the IPv6 payload")
    func ignoresPadding() throws {
        let packet = try NeighborDiscoveryPacket.decode(probeBytes + [0, 0, 0, 0])
        #expect(packet.message.target == vip)
    }

    @Test("refuses a hop limit other than 255, which would mean an off-link sender")
    func refusesHopLimit() {
        var bytes = advertisementBytes
        bytes[7] = 254
        #expect(throws: FrameDecodingError.hopLimitNot255(254)) { try NeighborDiscoveryPacket.decode(bytes) }
    }

    @Test("refuses a wrong checksum and reports both values")
    func refusesChecksum() {
        var bytes = advertisementBytes
        bytes[43] = 0x65
        #expect(throws: FrameDecodingError.checksumMismatch(received: 0x2765, computed: 0x2764)) {
            try NeighborDiscoveryPacket.decode(bytes)
        }
    }

    @Test("refuses a packet whose addresses were changed after checksumming")
    func checksumCoversAddresses() {
        var bytes = advertisementBytes
        bytes[23] = 2  // source fe80::2
        #expect(throws: FrameDecodingError.self) { try NeighborDiscoveryPacket.decode(bytes) }
    }

    @Test("refuses IPv6 packets that are not ICMPv6")
    func refusesOtherNextHeader() {
        var bytes = advertisementBytes
        bytes[6] = 17
        #expect(throws: FrameDecodingError.notICMPv6(nextHeader: 17)) { try NeighborDiscoveryPacket.decode(bytes) }
    }

    @Test("refuses a version other than 6")
    func refusesVersion() {
        var bytes = advertisementBytes
        bytes[0] = 0x45
        #expect(throws: FrameDecodingError.notIPv6(version: 4)) { try NeighborDiscoveryPacket.decode(bytes) }
    }

    @Test("refuses ICMPv6 messages other than solicitations and advertisements")
    func refusesOtherICMPType() {
        let echo = resign(advertisementBytes) { $0[40] = 128 }
        #expect(throws: FrameDecodingError.notNeighborDiscovery(icmpType: 128)) {
            try NeighborDiscoveryPacket.decode(echo)
        }
    }

    @Test("refuses a non-zero ICMP code")
    func refusesCode() {
        let bytes = resign(advertisementBytes) { $0[41] = 1 }
        #expect(throws: FrameDecodingError.nonZeroICMPCode(1)) { try NeighborDiscoveryPacket.decode(bytes) }
    }

    @Test("refuses an option of length zero")
    func refusesZeroLengthOption() {
        let bytes = resign(advertisementBytes) { $0[65] = 0 }
        #expect(throws: FrameDecodingError.zeroLengthOption(type: 2)) { try NeighborDiscoveryPacket.decode(bytes) }
    }

    @Test("refuses a link-layer option too long for an Ethernet address")
    func refusesLongLinkLayerOption() {
        let bytes = resign(advertisementBytes) { bytes in
            bytes[65] = 2
            bytes += [UInt8](repeating: 0, count: 8)
            bytes[5] = 0x28
        }
        #expect(throws: FrameDecodingError.unsupportedLinkLayerOptionLength(type: 2, length: 2)) {
            try NeighborDiscoveryPacket.decode(bytes)
        }
    }

    @Test("skips unknown options")
    func skipsUnknownOptions() throws {
        let bytes = resign(advertisementBytes) { bytes in
            bytes.insert(contentsOf: [14, 1, 0, 0, 0, 0, 0, 0], at: 64)  // a nonce option first
            bytes[5] = 0x28
        }
        let packet = try NeighborDiscoveryPacket.decode(bytes)
        guard case .advertisement(let advertisement) = packet.message else {
            Issue.record("expected an advertisement")
            return
        }
        #expect(advertisement.targetLinkLayerAddress == node)
    }

    @Test("refuses a multicast target")
    func refusesMulticastTarget() {
        let bytes = resign(advertisementBytes) { $0[48] = 0xFF }
        #expect(throws: FrameDecodingError.multicastTarget(address("ff01:db8::100"))) {
            try NeighborDiscoveryPacket.decode(bytes)
        }
    }

    @Test("refuses a solicited advertisement sent to a multicast group")
    func refusesSolicitedToMulticast() {
        let bytes = resign(advertisementBytes) { $0[44] = 0x60 }
        #expect(throws: FrameDecodingError.solicitedAdvertisementToMulticast) {
            try NeighborDiscoveryPacket.decode(bytes)
        }
    }

    @Test("refuses a DAD probe that carries a source link-layer option")
    func refusesDADWithSourceOption() {
        let bytes = resign(probeBytes) { bytes in
            bytes += [1, 1, 2, 0, 0, 0, 0, 1]
            bytes[5] = 0x20
        }
        #expect(throws: FrameDecodingError.invalidDuplicateAddressProbe) { try NeighborDiscoveryPacket.decode(bytes) }
    }

    @Test("refuses a DAD probe sent to a unicast address")
    func refusesDADToUnicast() {
        let bytes = resign(probeBytes) { $0[24] = 0x20; $0[25] = 0x01 }
        #expect(throws: FrameDecodingError.invalidDuplicateAddressProbe) { try NeighborDiscoveryPacket.decode(bytes) }
    }

    @Test("refuses a payload length beyond the bytes received")
    func refusesLongPayloadLength() {
        var bytes = probeBytes
        bytes[5] = 0x19
        #expect(throws: FrameDecodingError.truncated(.ipv6, needed: 65, available: 64)) {
            try NeighborDiscoveryPacket.decode(bytes)
        }
    }

    /// Applies `edit` to a packet, then recomputes the checksum so that only the edit is tested.
    private func resign(_ packet: [UInt8], _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        var bytes = packet
        edit(&bytes)
        bytes[42] = 0
        bytes[43] = 0
        let source = IPAddress(ipv6: bytes[8..<24].reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
        let destination = IPAddress(ipv6: bytes[24..<40].reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
        let checksum = InternetChecksum.icmpv6(source: source, destination: destination, message: bytes[40...])
        bytes[42] = UInt8(checksum >> 8)
        bytes[43] = UInt8(checksum & 0xFF)
        return bytes
    }
}
