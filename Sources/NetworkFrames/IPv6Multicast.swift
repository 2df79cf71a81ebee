import NetworkAddresses

extension IPAddress {
    /// ff02::1, where unsolicited neighbour advertisements go so that every host updates its cache.
    public static let ipv6AllNodes = IPAddress(ipv6: 0xFF02 << 112 | 1)

    /// The unspecified address ::, the source of a duplicate address detection probe.
    public static let ipv6Unspecified = IPAddress(ipv6: 0)

    /// ff02::1:ffXX:XXXX for the low 24 bits of `address` (RFC 4291 §2.7.1): the only group a
    /// host owning `address` is sure to listen on, so DAD probes reach it without flooding.
    public static func solicitedNodeMulticast(for address: IPAddress) -> IPAddress {
        IPAddress(ipv6: 0xFF02 << 112 | 0x1_FF00_0000 | address.value & 0xFF_FFFF)
    }

    /// ff00::/8.
    public var isIPv6Multicast: Bool {
        family == .ipv6 && value >> 120 == 0xFF
    }
}
