import NetworkAddresses
import NetworkFrames
import PropertyBased
import Testing

@Suite("Frame round-trips")
struct FrameRoundTripTests {
    @Test("any MAC address survives printing and parsing")
    func macRoundTrip() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...0xFFFF_FFFF_FFFF)) { raw in
            let address = MACAddress(rawValue: raw)
            #expect(address.flatMap { MACAddress($0.description) } == address)
            #expect(address.flatMap { MACAddress(bytes: $0.bytes) } == address)
        }
    }

    @Test("any Ethernet frame survives encoding and decoding")
    func ethernetRoundTrip() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SplitMix64(seed: seed)
            let frame = EthernetFrame(
                destination: random.macAddress(), source: random.macAddress(),
                etherType: EtherType(rawValue: UInt16.random(in: 0x0600...0xFFFF, using: &random)),
                payload: random.bytes(count: Int.random(in: 0...100, using: &random)))
            #expect((try? EthernetFrame.decode(frame.encode())) == frame)
        }
    }

    @Test("any ARP packet survives encoding and decoding inside a frame")
    func arpRoundTrip() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SplitMix64(seed: seed)
            let packet = ARPPacket(
                operation: Bool.random(using: &random) ? .request : .reply,
                senderHardwareAddress: random.macAddress(), senderProtocolAddress: random.ipv4(),
                targetHardwareAddress: random.macAddress(), targetProtocolAddress: random.ipv4())
            #expect((try? ARPPacket.decode(EthernetFrame.decode(packet.ethernetFrame().encode()))) == packet)
        }
    }

    @Test("any neighbour advertisement survives encoding and decoding")
    func advertisementRoundTrip() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SplitMix64(seed: seed)
            let solicited = Bool.random(using: &random)
            let advertisement = NeighborAdvertisement(
                isRouter: Bool.random(using: &random), isSolicited: solicited,
                isOverride: Bool.random(using: &random), target: random.ipv6Unicast(),
                targetLinkLayerAddress: Bool.random(using: &random) ? random.macAddress() : nil)
            // A solicited advertisement answers one host, so it goes to unicast (RFC 4861 §7.1.2).
            let packet = NeighborDiscoveryPacket(
                source: random.ipv6Unicast(), destination: solicited ? random.ipv6Unicast() : .ipv6AllNodes,
                message: .advertisement(advertisement))
            #expect((try? NeighborDiscoveryPacket.decode(packet.encode())) == packet)
        }
    }

    @Test("any neighbour solicitation survives encoding and decoding")
    func solicitationRoundTrip() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SplitMix64(seed: seed)
            let target = random.ipv6Unicast()
            let packet: NeighborDiscoveryPacket
            if Bool.random(using: &random) {
                packet = .duplicateAddressProbe(for: target)
            } else {
                packet = NeighborDiscoveryPacket(
                    source: random.ipv6Unicast(), destination: .solicitedNodeMulticast(for: target),
                    message: .solicitation(NeighborSolicitation(target: target, sourceLinkLayerAddress: random.macAddress())))
            }
            #expect((try? NeighborDiscoveryPacket.decode(packet.encode())) == packet)
        }
    }
}
