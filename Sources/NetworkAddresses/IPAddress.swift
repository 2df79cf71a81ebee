/// An IPv4 or IPv6 address, without a zone.
///
/// Ordering puts every IPv4 address before every IPv6 address, then orders by value, so a sorted
/// list of mixed addresses groups each family and walks it in numeric order.
@frozen
public struct IPAddress: Hashable, Comparable, Sendable {
    // `value` is declared before `family` on purpose: `UInt128` is 16-byte aligned, so this order
    // leaves the tail padding free and lets `CIDR` (address + Int) fit in 32 bytes instead of 48.

    /// The address as an integer in network (big-endian) bit order; IPv4 uses the low 32 bits.
    public let value: UInt128

    public let family: IPFamily

    /// Callers guarantee `value <= family.maxValue`.
    @inlinable
    @inline(__always)
    internal init(uncheckedFamily family: IPFamily, value: UInt128) {
        self.value = value
        self.family = family
    }

    @inlinable
    public init(ipv4: UInt32) {
        self.init(uncheckedFamily: .ipv4, value: UInt128(ipv4))
    }

    @inlinable
    public init(ipv6: UInt128) {
        self.init(uncheckedFamily: .ipv6, value: ipv6)
    }

    /// Returns `nil` when `value` does not fit in the family (more than 32 bits for IPv4).
    @inlinable
    public init?(family: IPFamily, value: UInt128) {
        guard value <= family.maxValue else { return nil }
        self.init(uncheckedFamily: family, value: value)
    }

    @inlinable
    public static func == (lhs: IPAddress, rhs: IPAddress) -> Bool {
        lhs.value == rhs.value && lhs.family == rhs.family
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
        hasher.combine(family)
    }

    @inlinable
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.family != rhs.family {
            return lhs.family < rhs.family
        }
        return lhs.value < rhs.value
    }

    /// True for `::ffff:0:0/96`, the IPv6 form of an IPv4 address used by dual-stack sockets.
    /// Always false for an IPv4 address.
    @inlinable
    public var isIPv4Mapped: Bool {
        family == .ipv6 && value >> 32 == 0xFFFF
    }
}

extension IPAddress {
    /// Moves `delta` addresses forwards (or backwards when negative).
    ///
    /// Returns `nil` instead of wrapping, so an allocator walking a range stops at the end of the
    /// family's address space rather than silently jumping to the other end.
    @inlinable
    public func advanced(by delta: Int) -> IPAddress? {
        let step = UInt128(delta.magnitude)
        if delta >= 0 {
            guard step <= family.maxValue - value else { return nil }
            return IPAddress(uncheckedFamily: family, value: value + step)
        } else {
            guard step <= value else { return nil }
            return IPAddress(uncheckedFamily: family, value: value - step)
        }
    }
}
