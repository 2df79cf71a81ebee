import NetworkAddresses

/// Why received bytes were not accepted as a frame of the expected kind.
///
/// Every way a decoder can refuse input has a case here, so that the node agent can count and
/// log foreign or damaged traffic on its sockets instead of trapping on it.
public enum FrameDecodingError: Error, Hashable, Sendable {
    /// Fewer bytes than the layout requires: `needed` bytes of `layer` were expected, only
    /// `available` were present.
    case truncated(FrameLayer, needed: Int, available: Int)
    /// The Ethernet type/length field is below 0x0600, i.e. an IEEE 802.3 length, not an EtherType.
    case notEthernetII(lengthField: UInt16)
    /// The frame carries another protocol than the decoder handles.
    case unexpectedEtherType(EtherType)

    /// ARP for another link type than Ethernet (htype 1).
    case unsupportedARPHardwareType(UInt16)
    /// ARP for another protocol than IPv4 (ptype 0x0800).
    case unsupportedARPProtocolType(UInt16)
    /// ARP address lengths other than 6 (hardware) and 4 (protocol).
    case unsupportedARPAddressLengths(hardware: UInt8, protocol: UInt8)
    /// An ARP opcode other than request (1) or reply (2).
    case unknownARPOperation(UInt16)

    /// The IP version nibble is not 6.
    case notIPv6(version: UInt8)
    /// The IPv6 next header is not ICMPv6 (58); extension headers are not followed.
    case notICMPv6(nextHeader: UInt8)
    /// RFC 4861 requires hop limit 255 so that off-link senders cannot forge neighbour discovery.
    case hopLimitNot255(UInt8)
    /// The ICMPv6 checksum over the pseudo-header does not match.
    case checksumMismatch(received: UInt16, computed: UInt16)
    /// An ICMPv6 type other than neighbour solicitation (135) or advertisement (136).
    case notNeighborDiscovery(icmpType: UInt8)
    /// Neighbour discovery messages must have ICMP code 0.
    case nonZeroICMPCode(UInt8)
    /// A neighbour discovery option with length 0, which RFC 4861 §4.6 says to discard.
    case zeroLengthOption(type: UInt8)
    /// A link-layer address option whose length does not fit a 6-byte Ethernet address.
    case unsupportedLinkLayerOptionLength(type: UInt8, length: UInt8)
    /// The target of a solicitation or advertisement is a multicast address (RFC 4861 §7.1).
    case multicastTarget(IPAddress)
    /// A DAD solicitation (source ::) sent to a unicast address or carrying a source link-layer
    /// address option (RFC 4861 §7.1.1).
    case invalidDuplicateAddressProbe
    /// A solicited advertisement sent to a multicast destination (RFC 4861 §7.1.2).
    case solicitedAdvertisementToMulticast

    /// The IP version nibble of a packet expected to be IPv4 is not 4.
    case notIPv4(version: UInt8)
    /// An IPv4 IHL below 5 words: the header cannot even hold its fixed fields.
    case invalidIPv4HeaderLength(words: UInt8)
    /// The IPv4 header checksum does not match; `computed` is what the field should hold.
    case ipv4HeaderChecksumMismatch(received: UInt16, computed: UInt16)
    /// An IPv4 total length shorter than the packet's own header.
    case invalidIPv4TotalLength(UInt16)
    /// A fragment (more-fragments set or a non-zero offset, in bytes): the node agent does not
    /// reassemble, and DHCP messages are small enough never to need it.
    case ipv4Fragment(offset: UInt16, moreFragments: Bool)
    /// A UDP length field below the 8-byte header.
    case invalidUDPLength(UInt16)
    /// The UDP checksum over the IPv4 pseudo-header does not match; `computed` is what the field
    /// should hold. A zero field ("no checksum") and the checksum-offload placeholder
    /// (`UDPDatagram.offloadPlaceholder`) are never reported.
    case udpChecksumMismatch(received: UInt16, computed: UInt16)
    /// A well-formed IPv4 packet that is not UDP to the DHCP client port 68 (`destinationPort` is
    /// nil when it is not UDP at all). Not damage: other traffic the socket also sees, which the
    /// caller should skip rather than count as malformed.
    case notDHCPClientTraffic(ipProtocol: UInt8, destinationPort: UInt16?)

    /// A BOOTP `op` other than BOOTREQUEST (1) or BOOTREPLY (2).
    case unknownBOOTPOperation(UInt8)
    /// A BOOTP message for another link type than Ethernet (htype 1, hlen 6).
    case unsupportedBOOTPHardware(type: UInt8, length: UInt8)
    /// The four bytes after the BOOTP header are not the DHCP magic cookie 99.130.83.99: plain
    /// BOOTP or something else on the port. (A message too short to hold a cookie is `truncated`.)
    case wrongDHCPMagicCookie(UInt32)
    /// An option the decoder interprets whose value (all instances concatenated, RFC 3396) has a
    /// length its definition does not allow, such as a server identifier (54) that is not 4 bytes.
    case invalidDHCPOptionLength(code: UInt8, length: Int)
    /// Option 53 with a value outside DHCPDISCOVER (1) through DHCPINFORM (8).
    case unknownDHCPMessageType(UInt8)
    /// Option overload (52) with a value other than 1 (`file`), 2 (`sname`) or 3 (both).
    case invalidDHCPOptionOverload(UInt8)
}

/// The protocol layer a truncation was found in.
public enum FrameLayer: Hashable, Sendable {
    case ethernet
    case arp
    case ipv6
    case icmpv6
    case neighborDiscoveryOption
    case ipv4
    case udp
    /// The fixed BOOTP header and the magic cookie.
    case dhcp
    /// One option area (the options field, or `file` or `sname` under overload); offsets count
    /// from the start of that area.
    case dhcpOption
}
