import NetworkAddresses
import NetworkFrames
import Testing

@Suite("ARP packets")
struct ARPPacketTests {
    let node = mac("02:00:00:00:00:01")
    let vip = address("198.51.100.100")

    @Test("a gratuitous request is broadcast with sender IP = target IP = VIP, as upstream sends it")
    func gratuitousRequestBytes() {
        let frame = ARPPacket.gratuitousRequest(announcing: vip, at: node).ethernetFrame().encode()
        let expected = hexBytes(
            """
            ff ff ff ff ff ff  02 00 00 00 00 01  08 06
            00 01  08 00  06  04  00 01
            02 00 00 00 00 01  c6 33 64 64
            ff ff ff ff ff ff  c6 33 64 64
            """)
        #expect(frame == expected)
    }

    @Test("the RFC 5227 form of the gratuitous request has a zero target MAC")
    func gratuitousRequestWithZeroTarget() {
        let packet = ARPPacket.gratuitousRequest(announcing: vip, at: node, targetHardwareAddress: .zero)
        #expect(Array(packet.encode()[18..<24]) == [0, 0, 0, 0, 0, 0])
    }

    @Test("a gratuitous reply names the sender's MAC as target too")
    func gratuitousReplyBytes() {
        let packet = ARPPacket.gratuitousReply(announcing: vip, at: node).encode()
        let expected = hexBytes(
            """
            00 01  08 00  06  04  00 02
            02 00 00 00 00 01  c6 33 64 64
            02 00 00 00 00 01  c6 33 64 64
            """)
        #expect(packet == expected)
    }

    @Test("a probe has sender IP 0.0.0.0 and a zero target MAC")
    func probeBytes() {
        let frame = ARPPacket.probe(for: address("198.51.100.7"), from: node).ethernetFrame().encode()
        let expected = hexBytes(
            """
            ff ff ff ff ff ff  02 00 00 00 00 01  08 06
            00 01  08 00  06  04  00 01
            02 00 00 00 00 01  00 00 00 00
            00 00 00 00 00 00  c6 33 64 07
            """)
        #expect(frame == expected)
    }

    @Test("announcements are gratuitous, probes and queries are not")
    func gratuitousFlag() {
        #expect(ARPPacket.gratuitousRequest(announcing: vip, at: node).isGratuitous)
        #expect(!ARPPacket.probe(for: vip, from: node).isGratuitous)
    }

    @Test("decodes a reply followed by Ethernet padding")
    func decodesWithPadding() throws {
        let bytes = ARPPacket.gratuitousReply(announcing: vip, at: node).encode() + [UInt8](repeating: 0, count: 18)
        let packet = try ARPPacket.decode(bytes)
        #expect(packet == ARPPacket.gratuitousReply(announcing: vip, at: node))
    }

    @Test("refuses a hardware type other than Ethernet")
    func refusesHardwareType() {
        var bytes = ARPPacket.probe(for: vip, from: node).encode()
        bytes[1] = 32  // InfiniBand
        #expect(throws: FrameDecodingError.unsupportedARPHardwareType(32)) { try ARPPacket.decode(bytes) }
    }

    @Test("refuses a protocol type other than IPv4")
    func refusesProtocolType() {
        var bytes = ARPPacket.probe(for: vip, from: node).encode()
        bytes[2] = 0x86
        bytes[3] = 0xDD
        #expect(throws: FrameDecodingError.unsupportedARPProtocolType(0x86DD)) { try ARPPacket.decode(bytes) }
    }

    @Test("refuses address lengths other than 6 and 4")
    func refusesLengths() {
        var bytes = ARPPacket.probe(for: vip, from: node).encode()
        bytes[4] = 20
        #expect(throws: FrameDecodingError.unsupportedARPAddressLengths(hardware: 20, protocol: 4)) {
            try ARPPacket.decode(bytes)
        }
    }

    @Test("refuses opcodes other than request and reply")
    func refusesOperation() {
        var bytes = ARPPacket.probe(for: vip, from: node).encode()
        bytes[7] = 3  // RARP request
        #expect(throws: FrameDecodingError.unknownARPOperation(3)) { try ARPPacket.decode(bytes) }
    }

    @Test("reports how many bytes a truncated packet lacked")
    func reportsTruncation() {
        let bytes = Array(ARPPacket.probe(for: vip, from: node).encode().prefix(20))
        #expect(throws: FrameDecodingError.truncated(.arp, needed: 24, available: 20)) { try ARPPacket.decode(bytes) }
    }

    @Test("refuses a frame of another EtherType")
    func refusesOtherEtherType() {
        let frame = EthernetFrame(destination: .broadcast, source: node, etherType: .ipv4, payload: [])
        #expect(throws: FrameDecodingError.unexpectedEtherType(.ipv4)) { try ARPPacket.decode(frame) }
    }
}
