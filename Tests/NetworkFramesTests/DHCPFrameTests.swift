import NetworkAddresses
import NetworkFrames
import PropertyBased
import Testing

@Suite("IPv4 and UDP framing")
struct IPv4UDPTests {
    @Test("the IPv4 header checksum matches a hand-computed example")
    func ipv4HeaderChecksum() {
        // 4500 + 0148 + 0000 + 0000 + 4011 + 0000 + 0000 + 0000 + ffff + ffff = 0x28657;
        // folded 0x8659, complemented 0x79a6.
        let header = IPv4Header(
            totalLength: 328, timeToLive: 64, protocolNumber: 17, source: .ipv4Unspecified,
            destination: .ipv4Broadcast)
        #expect(header.encode() == hexBytes("45 00 0148 0000 0000 40 11 79a6 00000000 ffffffff"))
    }

    @Test("the UDP checksum covers the IPv4 pseudo-header as in a hand-computed example")
    func udpChecksum() {
        // c633 + 6401 + c633 + 6432 + 0011 + 000a (pseudo-header) + 0043 + 0044 + 000a + 0000 + 6869
        // = 0x2bdae; folded 0xbdb0, complemented 0x424f.
        let datagram = UDPDatagram(sourcePort: 67, destinationPort: 68, payload: Array("hi".utf8))
        let bytes = datagram.encode(source: address("198.51.100.1"), destination: address("198.51.100.50"))
        #expect(bytes == hexBytes("0043 0044 000a 424f 6869"))
    }

    @Test("a UDP checksum that computes to zero is sent as 0xffff")
    func zeroChecksumSentAsOnes() throws {
        // Addresses and ports zero: the sum is protocol 0x11, the length 0x0a twice, and the
        // payload word; 0xffda makes it 0xffff, whose complement is zero.
        let datagram = UDPDatagram(sourcePort: 0, destinationPort: 0, payload: [0xFF, 0xDA])
        let bytes = datagram.encode(source: .ipv4Unspecified, destination: .ipv4Unspecified)
        #expect(Array(bytes[6..<8]) == [0xFF, 0xFF])
        #expect(try UDPDatagram.decode(bytes, source: .ipv4Unspecified, destination: .ipv4Unspecified) == datagram)
    }

    @Test("a zero UDP checksum means none and is accepted")
    func zeroUDPChecksumAccepted() throws {
        let bytes = hexBytes("0043 0044 000a 0000 6869")
        let datagram = try UDPDatagram.decode(
            bytes, source: address("198.51.100.1"), destination: address("198.51.100.50"))
        #expect(datagram.payload == Array("hi".utf8))
    }

    @Test("a wrong non-zero UDP checksum is refused")
    func wrongUDPChecksumRefused() {
        let bytes = hexBytes("0043 0044 000a 4250 6869")
        #expect(throws: FrameDecodingError.udpChecksumMismatch(received: 0x4250, computed: 0x424f)) {
            try UDPDatagram.decode(bytes, source: address("198.51.100.1"), destination: address("198.51.100.50"))
        }
    }

    @Test("the checksum-offload placeholder (pseudo-header sum) is accepted")
    func offloadPlaceholderAccepted() throws {
        // c633 + 6401 + c633 + 6432 + 0011 + 000a = 0x254b4, folded 0x54b6.
        let source = address("198.51.100.1")
        let destination = address("198.51.100.50")
        #expect(UDPDatagram.offloadPlaceholder(source: source, destination: destination, length: 10) == 0x54B6)
        let bytes = hexBytes("0043 0044 000a 54b6 6869")
        #expect(try UDPDatagram.decode(bytes, source: source, destination: destination).payload == Array("hi".utf8))
    }

    @Test("a UDP length below the header is refused")
    func udpLengthTooShort() {
        #expect(throws: FrameDecodingError.invalidUDPLength(7)) {
            try UDPDatagram.decode(
                hexBytes("0043 0044 0007 0000 6869"), source: .ipv4Unspecified, destination: .ipv4Unspecified)
        }
    }

    @Test("a UDP length beyond the IP payload is truncated")
    func udpLengthTooLong() {
        #expect(throws: FrameDecodingError.truncated(.udp, needed: 11, available: 10)) {
            try UDPDatagram.decode(
                hexBytes("0043 0044 000b 0000 6869"), source: .ipv4Unspecified, destination: .ipv4Unspecified)
        }
    }

    @Test("any IPv4 packet survives encoding and decoding")
    func ipv4RoundTrip() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SplitMix64(seed: seed)
            let payload = random.bytes(count: Int.random(in: 0...100, using: &random))
            let packet = IPv4Packet(
                header: IPv4Header(
                    typeOfService: UInt8.random(in: 0...255, using: &random),
                    totalLength: UInt16(20 + payload.count),
                    identification: UInt16.random(in: 0...UInt16.max, using: &random),
                    dontFragment: Bool.random(using: &random),
                    timeToLive: UInt8.random(in: 0...255, using: &random),
                    protocolNumber: UInt8.random(in: 0...255, using: &random),
                    source: random.ipv4(), destination: random.ipv4()),
                payload: payload)
            #expect((try? IPv4Packet.decode(packet.encode())) == packet)
        }
    }

    @Test("an IPv4 header with options is accepted and the options skipped")
    func ipv4OptionsSkipped() throws {
        // IHL 6: one word of options (a router alert, 94 04 0000).
        var header = hexBytes("46 00 0019 0000 0000 40 11 0000 c6336401 c6336432 94040000")
        let checksum = InternetChecksum.of(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xFF)
        let packet = try IPv4Packet.decode(header + [0x2A, 0, 0, 0])
        #expect(packet.payload == [0x2A])
        #expect(packet.header.totalLength == 25)
        #expect(packet.header.source == address("198.51.100.1"))
    }

    @Test("an IP version other than 4 is refused")
    func notIPv4() {
        var bytes = IPv4Packet(header: Self.header, payload: []).encode()
        bytes[0] = 0x65
        #expect(throws: FrameDecodingError.notIPv4(version: 6)) { try IPv4Packet.decode(bytes) }
    }

    @Test("an IHL below 5 is refused")
    func shortIHL() {
        var bytes = IPv4Packet(header: Self.header, payload: []).encode()
        bytes[0] = 0x44
        #expect(throws: FrameDecodingError.invalidIPv4HeaderLength(words: 4)) { try IPv4Packet.decode(bytes) }
    }

    @Test("a wrong IPv4 header checksum is refused")
    func ipv4ChecksumMismatch() {
        var bytes = IPv4Packet(header: Self.header, payload: []).encode()
        bytes[8] = 63  // TTL changed without fixing the checksum
        #expect(throws: FrameDecodingError.ipv4HeaderChecksumMismatch(received: 0x7ADA, computed: 0x7BDA)) {
            try IPv4Packet.decode(bytes)
        }
    }

    @Test("an IPv4 total length beyond the frame is truncated")
    func ipv4TotalLengthBeyondFrame() {
        let bytes = IPv4Packet(header: Self.header, payload: [1, 2, 3]).encode()
        #expect(throws: FrameDecodingError.truncated(.ipv4, needed: 23, available: 22)) {
            try IPv4Packet.decode(bytes.dropLast())
        }
    }

    @Test("an IPv4 total length shorter than the header is refused")
    func ipv4TotalLengthBelowHeader() {
        var header = Self.header
        header.totalLength = 19
        #expect(throws: FrameDecodingError.invalidIPv4TotalLength(19)) { try IPv4Header.decode(header.encode()) }
    }

    @Test("a first fragment (more fragments set) is refused")
    func firstFragment() {
        let bytes = Self.withFlagsAndOffset(0x2000)
        #expect(throws: FrameDecodingError.ipv4Fragment(offset: 0, moreFragments: true)) {
            try IPv4Packet.decode(bytes)
        }
    }

    @Test("a later fragment (non-zero offset) is refused")
    func laterFragment() {
        let bytes = Self.withFlagsAndOffset(0x4003)  // DF is ignored, offset 3 words
        #expect(throws: FrameDecodingError.ipv4Fragment(offset: 24, moreFragments: false)) {
            try IPv4Packet.decode(bytes)
        }
    }

    @Test("don't-fragment alone is not a fragment")
    func dontFragmentAccepted() throws {
        let packet = try IPv4Packet.decode(Self.withFlagsAndOffset(0x4000))
        #expect(packet.header.dontFragment)
    }

    static let header = IPv4Header(
        totalLength: 20, timeToLive: 64, protocolNumber: 17, source: .ipv4Unspecified, destination: .ipv4Broadcast)

    /// An empty packet with the flags/offset word set and a correct checksum.
    static func withFlagsAndOffset(_ value: UInt16) -> [UInt8] {
        var bytes = IPv4Packet(header: header, payload: []).encode()
        bytes[6] = UInt8(value >> 8)
        bytes[7] = UInt8(value & 0xFF)
        bytes[10] = 0
        bytes[11] = 0
        let checksum = InternetChecksum.of(bytes)
        bytes[10] = UInt8(checksum >> 8)
        bytes[11] = UInt8(checksum & 0xFF)
        return bytes
    }
}

@Suite("DHCP frames")
struct DHCPFrameTests {
    @Test("the DISCOVER frame is byte for byte the one dnsmasq accepted")
    func discoverFrame() {
        let frame = DHCPFrame.encode(
            DHCPSamples.discoverMessage, sourceHardwareAddress: DHCPSamples.clientMAC,
            destinationHardwareAddress: .broadcast, source: .ipv4Unspecified, destination: .ipv4Broadcast)
        #expect(frame == DHCPSamples.discoverFrame)
    }

    @Test("dnsmasq's ACK frame as captured (offload placeholder checksum) decodes")
    func capturedAck() throws {
        let received = try DHCPFrame.decode(DHCPSamples.ackFrame)
        #expect(received.sourceHardwareAddress == DHCPSamples.serverMAC)
        #expect(received.destinationHardwareAddress == DHCPSamples.clientMAC)
        #expect(received.source == DHCPSamples.server)
        #expect(received.destination == DHCPSamples.offered)
        #expect(received.sourcePort == 67)
        #expect(received.message == DHCPSamples.replyMessage(.ack))
    }

    @Test("a reply frame survives encoding and decoding with a real UDP checksum")
    func frameRoundTrip() async {
        await propertyCheck(count: 100, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SplitMix64(seed: seed)
            let message = random.dhcpMessage()
            let received = try? DHCPFrame.decode(DHCPSamples.serverFrame(message))
            #expect(
                received
                    == DHCPFrame.Received(
                        sourceHardwareAddress: DHCPSamples.serverMAC, destinationHardwareAddress: DHCPSamples.clientMAC,
                        source: DHCPSamples.server, destination: DHCPSamples.offered, sourcePort: 67, message: message))
        }
    }

    @Test("Ethernet padding after the IP packet is ignored")
    func trailingPadding() throws {
        let frame = DHCPSamples.serverFrame(DHCPSamples.replyMessage(.offer)) + [UInt8](repeating: 0xA5, count: 18)
        #expect(try DHCPFrame.decode(frame).message == DHCPSamples.replyMessage(.offer))
    }

    @Test("a frame that is not IPv4 is refused by EtherType")
    func notIPv4Frame() {
        let frame = ARPPacket.gratuitousRequest(announcing: DHCPSamples.offered, at: DHCPSamples.clientMAC)
            .ethernetFrame().encode()
        #expect(throws: FrameDecodingError.unexpectedEtherType(.arp)) { try DHCPFrame.decode(frame) }
    }

    @Test("an IPv4 frame that is not UDP is not DHCP client traffic")
    func nonUDPIsNotForUs() {
        let packet = IPv4Packet(
            header: IPv4Header(
                totalLength: 0, timeToLive: 64, protocolNumber: 1, source: DHCPSamples.server,
                destination: DHCPSamples.offered),
            payload: [8, 0, 0xF7, 0xFF, 0, 0, 0, 0])
        let frame = EthernetFrame(
            destination: DHCPSamples.clientMAC, source: DHCPSamples.serverMAC, etherType: .ipv4,
            payload: packet.encode())
        #expect(throws: FrameDecodingError.notDHCPClientTraffic(ipProtocol: 1, destinationPort: nil)) {
            try DHCPFrame.decode(frame.encode())
        }
    }

    @Test("a UDP frame to another port is not DHCP client traffic, whatever its checksum")
    func otherPortIsNotForUs() {
        // Our own DISCOVER goes to the server port 67; its checksum is then damaged to show that
        // another program's datagram is not judged.
        var frame = DHCPSamples.discoverFrame
        frame[41] ^= 0xFF
        #expect(throws: FrameDecodingError.notDHCPClientTraffic(ipProtocol: 17, destinationPort: 67)) {
            try DHCPFrame.decode(frame)
        }
    }

    @Test("a fragmented DHCP reply is refused")
    func fragmentRefused() {
        var frame = DHCPSamples.serverFrame(DHCPSamples.replyMessage(.offer))
        frame[20] = 0x20  // more fragments
        frame[24] = 0
        frame[25] = 0
        let checksum = InternetChecksum.of(frame[14..<34])
        frame[24] = UInt8(checksum >> 8)
        frame[25] = UInt8(checksum & 0xFF)
        #expect(throws: FrameDecodingError.ipv4Fragment(offset: 0, moreFragments: true)) { try DHCPFrame.decode(frame) }
    }

    @Test("a DHCP reply with a damaged payload fails its UDP checksum")
    func damagedPayloadRefused() {
        var frame = DHCPSamples.serverFrame(DHCPSamples.replyMessage(.offer))
        frame[42 + 16] ^= 0x01  // yiaddr
        let result = Result { () throws(FrameDecodingError) in try DHCPFrame.decode(frame) }
        guard case .failure(.udpChecksumMismatch) = result else {
            Issue.record("expected a UDP checksum mismatch, got \(result)")
            return
        }
    }

    @Test("a frame to port 68 whose payload is not DHCP is malformed, not foreign")
    func notDHCPPayload() {
        let udp = UDPDatagram(sourcePort: 67, destinationPort: 68, payload: [1, 2, 3])
        let packet = IPv4Packet(
            header: IPv4Header(
                totalLength: 0, timeToLive: 64, protocolNumber: 17, source: DHCPSamples.server,
                destination: DHCPSamples.offered),
            payload: udp.encode(source: DHCPSamples.server, destination: DHCPSamples.offered))
        let frame = EthernetFrame(
            destination: DHCPSamples.clientMAC, source: DHCPSamples.serverMAC, etherType: .ipv4,
            payload: packet.encode())
        #expect(throws: FrameDecodingError.truncated(.dhcp, needed: 236, available: 3)) {
            try DHCPFrame.decode(frame.encode())
        }
    }
}
