import NetworkFrames
import Testing

/// The DHCP decoders read whatever arrives on a raw socket bound to IPv4: each must return a value
/// or a `FrameDecodingError` and never trap. As in `DecoderRobustnessTests`, typed throws rule out
/// other errors at compile time, so running to completion is the assertion unless stated.
@Suite("DHCP decoders on hostile input")
struct DHCPDecoderRobustnessTests {
    private func decodeEverything(_ bytes: [UInt8]) {
        _ = try? DHCPMessage.decode(bytes)
        _ = try? DHCPFrame.decode(bytes)
        _ = try? IPv4Packet.decode(bytes)
        _ = try? UDPDatagram.decode(bytes, source: .ipv4Unspecified, destination: .ipv4Broadcast)
    }

    /// A server's reply with a real UDP checksum, and dnsmasq's captured one with the placeholder.
    static let frames = [DHCPSamples.serverFrame(DHCPSamples.replyMessage(.offer)), DHCPSamples.ackFrame]
    static let messages = [DHCPSamples.discover, DHCPSamples.offer, DHCPSamples.ack]

    @Test("thousands of random byte strings decode or fail with a typed error")
    func randomBytes() {
        var random = SplitMix64(seed: 0x6468_6370)
        for _ in 0..<3000 {
            decodeEverything(random.bytes(count: Int.random(in: 0...400, using: &random)))
        }
    }

    @Test("random option areas behind a valid BOOTP header and cookie decode or fail with a typed error")
    func randomOptions() {
        var random = SplitMix64(seed: 0xB007)
        let header = Array(DHCPSamples.offer.prefix(240))
        for _ in 0..<3000 {
            _ = try? DHCPMessage.decode(header + random.bytes(count: Int.random(in: 0...80, using: &random)))
        }
    }

    @Test("random sname and file under every overload value decode or fail with a typed error")
    func randomOverloadedFields() {
        var random = SplitMix64(seed: 0x5201)
        let header = Array(DHCPSamples.offer.prefix(44))
        let cookie = Array(DHCPSamples.offer[236..<240])
        for index in 0..<3000 {
            let fields = random.bytes(count: 192)
            let overload: [UInt8] = [52, 1, UInt8(index % 4)]
            _ = try? DHCPMessage.decode(header + fields + cookie + overload + [255])
        }
    }

    @Test("every truncation of a DHCP frame is refused", arguments: frames)
    func frameTruncations(frame: [UInt8]) {
        for length in 0..<frame.count {
            #expect(throws: FrameDecodingError.self) { try DHCPFrame.decode(frame.prefix(length)) }
        }
    }

    @Test("every truncation of a DHCP message decodes or fails with a typed error", arguments: messages)
    func messageTruncations(message: [UInt8]) {
        // Prefixes that end at an option boundary are valid messages without END, so only survival
        // is asserted; everything shorter than header and cookie must fail.
        for length in 0..<message.count {
            let result = Result { () throws(FrameDecodingError) in try DHCPMessage.decode(message.prefix(length)) }
            if length < 240, case .success = result {
                Issue.record("a \(length)-byte prefix decoded")
            }
        }
    }

    @Test("every single-byte change to a DHCP frame decodes or fails with a typed error", arguments: frames)
    func frameFlips(frame: [UInt8]) {
        var random = SplitMix64(seed: 11)
        for position in frame.indices {
            for _ in 0..<8 {
                var mutated = frame
                mutated[position] ^= UInt8.random(in: 1...255, using: &random)
                decodeEverything(mutated)
            }
        }
    }

    @Test("every single-byte change to a DHCP message decodes or fails with a typed error", arguments: messages)
    func messageFlips(message: [UInt8]) {
        var random = SplitMix64(seed: 12)
        for position in message.indices {
            for _ in 0..<8 {
                var mutated = message
                mutated[position] ^= UInt8.random(in: 1...255, using: &random)
                decodeEverything(mutated)
            }
        }
    }

    @Test("any single-byte change after the MAC addresses of a checksummed reply is caught")
    func checksummedFlipsAreDetected() {
        // The EtherType, the IPv4 header checksum and the UDP checksum together cover every byte
        // from offset 12 on; a change to the destination port makes it someone else's traffic.
        let frame = DHCPSamples.serverFrame(DHCPSamples.replyMessage(.offer))
        var random = SplitMix64(seed: 13)
        for position in 12..<frame.count {
            var mutated = frame
            mutated[position] ^= UInt8.random(in: 1...255, using: &random)
            #expect(throws: FrameDecodingError.self, "change at \(position)") { try DHCPFrame.decode(mutated) }
        }
    }
}
