import NetworkAddresses
import NetworkFrames

/// The frames an advertiser sends, as complete Ethernet frames ready for `NetworkDriver.send`.
enum AdvertiserFrames {
    /// IPv4: a gratuitous request and a gratuitous reply, because some hosts update their caches from only
    /// one of the two. IPv6: one unsolicited advertisement with Override to all nodes.
    static func announcement(of address: IPAddress, at hardwareAddress: MACAddress, from source: IPAddress)
        -> [[UInt8]]
    {
        switch address.family {
        case .ipv4:
            return [
                ARPPacket.gratuitousRequest(announcing: address, at: hardwareAddress).ethernetFrame().encode(),
                ARPPacket.gratuitousReply(announcing: address, at: hardwareAddress).ethernetFrame().encode(),
            ]
        case .ipv6:
            let packet = NeighborDiscoveryPacket.unsolicitedAdvertisement(
                announcing: address, at: hardwareAddress, from: source)
            return [
                packet.ethernetFrame(source: hardwareAddress, destination: multicastMAC(for: packet.destination))
                    .encode()
            ]
        }
    }

    /// IPv4: an RFC 5227 probe (sender 0.0.0.0). IPv6: an RFC 4862 duplicate address detection solicitation.
    static func probe(for address: IPAddress, from hardwareAddress: MACAddress) -> [UInt8] {
        switch address.family {
        case .ipv4:
            return ARPPacket.probe(for: address, from: hardwareAddress).ethernetFrame().encode()
        case .ipv6:
            let packet = NeighborDiscoveryPacket.duplicateAddressProbe(for: address)
            return packet.ethernetFrame(source: hardwareAddress, destination: multicastMAC(for: packet.destination))
                .encode()
        }
    }

    /// Both destinations used here (ff02::1 and a solicited-node group) are multicast, so the mapping
    /// always exists; broadcast is only a type-level fallback.
    private static func multicastMAC(for destination: IPAddress) -> MACAddress {
        MACAddress(ipv6Multicast: destination) ?? .broadcast
    }
}

/// What a frame heard while probing says about the address.
enum ProbeObservation: Sendable, Hashable {
    /// Another host uses or is claiming the address.
    case conflict(owner: MACAddress)
    /// Traffic that says nothing about the address (including this host's own frames).
    case unrelated
    /// It claimed to be ARP or neighbour discovery but did not decode.
    case malformed(FrameDecodingError)

    /// Judges one captured frame against `address`, which this host (at `ownHardwareAddress`) is probing.
    ///
    /// IPv4: any ARP packet whose sender IP is the address (a reply to our probe, or an announcement), or
    /// another host's probe for the same address. IPv6: an advertisement for the address, or another host's
    /// duplicate address detection solicitation for it.
    static func judge(_ bytes: [UInt8], probingFor address: IPAddress, ownHardwareAddress: MACAddress)
        -> ProbeObservation
    {
        let frame: EthernetFrame
        do throws(FrameDecodingError) {
            frame = try EthernetFrame.decode(bytes)
        } catch {
            return .malformed(error)
        }
        guard frame.source != ownHardwareAddress else { return .unrelated }
        switch address.family {
        case .ipv4:
            return judgeARP(frame, probingFor: address, ownHardwareAddress: ownHardwareAddress)
        case .ipv6:
            return judgeNeighborDiscovery(frame, probingFor: address, ownHardwareAddress: ownHardwareAddress)
        }
    }

    private static func judgeARP(_ frame: EthernetFrame, probingFor address: IPAddress, ownHardwareAddress: MACAddress)
        -> ProbeObservation
    {
        guard frame.etherType == .arp else { return .unrelated }
        let packet: ARPPacket
        do throws(FrameDecodingError) {
            packet = try ARPPacket.decode(frame)
        } catch {
            return .malformed(error)
        }
        let sender = packet.senderHardwareAddress
        guard sender != ownHardwareAddress else { return .unrelated }
        if packet.senderProtocolAddress == address {
            return .conflict(owner: sender)
        }
        let isProbe = packet.operation == .request && packet.senderProtocolAddress == IPAddress(ipv4: 0)
        if isProbe && packet.targetProtocolAddress == address {
            return .conflict(owner: sender)
        }
        return .unrelated
    }

    private static func judgeNeighborDiscovery(
        _ frame: EthernetFrame, probingFor address: IPAddress, ownHardwareAddress: MACAddress
    ) -> ProbeObservation {
        guard frame.etherType == .ipv6 else { return .unrelated }
        let packet: NeighborDiscoveryPacket
        do throws(FrameDecodingError) {
            packet = try NeighborDiscoveryPacket.decode(frame)
        } catch {
            switch error {
            // Other IPv6 traffic on the link, well formed but not neighbour discovery.
            case .notICMPv6, .notNeighborDiscovery: return .unrelated
            default: return .malformed(error)
            }
        }
        switch packet.message {
        case .advertisement(let advertisement) where advertisement.target == address:
            let owner = advertisement.targetLinkLayerAddress ?? frame.source
            return owner == ownHardwareAddress ? .unrelated : .conflict(owner: owner)
        case .solicitation(let solicitation) where solicitation.target == address && packet.source == .ipv6Unspecified:
            return .conflict(owner: frame.source)
        default:
            return .unrelated
        }
    }
}
