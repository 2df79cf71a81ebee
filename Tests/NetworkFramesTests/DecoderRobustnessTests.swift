import NetworkFrames
import Testing

/// Decoders face whatever arrives on a raw socket: each must return a value or a
/// `FrameDecodingError` for any input, and never trap. Typed throws make "or another error"
/// impossible at compile time, so these tests only need to run the decoders to completion.
@Suite("Decoders on hostile input")
struct DecoderRobustnessTests {
    /// Every decoder over one input; the result is discarded, surviving is the assertion.
    private func decodeEverything(_ bytes: [UInt8]) {
        _ = try? EthernetFrame.decode(bytes)
        _ = try? ARPPacket.decode(bytes)
        _ = try? NeighborDiscoveryPacket.decode(bytes)
        _ = try? IPv6Header.decode(bytes)
        if let frame = try? EthernetFrame.decode(bytes) {
            _ = try? ARPPacket.decode(frame)
            _ = try? NeighborDiscoveryPacket.decode(frame)
        }
    }

    @Test("every truncation of a gratuitous ARP is reported as truncated")
    func arpTruncations() {
        let frame = SampleFrames.gratuitousARP
        for length in 0..<frame.count {
            let result = Result { () throws(FrameDecodingError) in try ARPPacket.decode(EthernetFrame.decode(frame.prefix(length))) }
            guard case .failure(.truncated) = result else {
                Issue.record("prefix of \(length) bytes gave \(result)")
                continue
            }
        }
    }

    @Test("every truncation of a neighbour advertisement or DAD probe is refused", arguments: [
        SampleFrames.advertisement, SampleFrames.solicitation,
    ])
    func ndpTruncations(packet: [UInt8]) {
        for length in 0..<packet.count {
            #expect(throws: FrameDecodingError.self) { try NeighborDiscoveryPacket.decode(packet.prefix(length)) }
        }
    }

    @Test("thousands of random byte strings decode or fail with a typed error")
    func randomBytes() {
        var random = SplitMix64(seed: 0x6B75_6265_7669_70)
        for _ in 0..<3000 {
            decodeEverything(random.bytes(count: Int.random(in: 0...120, using: &random)))
        }
    }

    @Test("random bytes behind valid headers reach the deeper checks without trapping")
    func randomBodies() {
        var random = SplitMix64(seed: 42)
        let prefixes = [
            Array(SampleFrames.gratuitousARP.prefix(22)), Array(SampleFrames.advertisement.prefix(44)),
            Array(SampleFrames.solicitation.prefix(40)),
        ]
        for index in 0..<3000 {
            decodeEverything(prefixes[index % 3] + random.bytes(count: Int.random(in: 0...60, using: &random)))
        }
    }

    @Test("every single-byte change to a valid frame decodes or fails with a typed error")
    func singleByteFlips() {
        var random = SplitMix64(seed: 7)
        for sample in [SampleFrames.gratuitousARP, SampleFrames.advertisement, SampleFrames.solicitation] {
            for position in sample.indices {
                for _ in 0..<8 {
                    var mutated = sample
                    mutated[position] ^= UInt8.random(in: 1...255, using: &random)
                    decodeEverything(mutated)
                }
            }
        }
    }

    @Test("any single-byte change to a neighbour discovery packet is caught")
    func ndpFlipsAreDetected() {
        // The checksum covers everything after the version/class/flow word, so a flip anywhere
        // but there, or in the hop limit (which is checked first), cannot go unnoticed.
        var random = SplitMix64(seed: 9)
        for sample in [SampleFrames.advertisement, SampleFrames.solicitation] {
            for position in 4..<sample.count {
                var mutated = sample
                mutated[position] ^= UInt8.random(in: 1...255, using: &random)
                #expect(throws: FrameDecodingError.self) { try NeighborDiscoveryPacket.decode(mutated) }
            }
        }
    }
}
