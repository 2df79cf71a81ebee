/// The two IP address families.
///
/// The raw values are the IP version numbers, so they also order IPv4 before IPv6.
@frozen
public enum IPFamily: UInt8, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case ipv4 = 4
    case ipv6 = 6

    // Equality, hashing and ordering are written out rather than synthesised so that they are
    // `@inlinable`: `IPAddress` comparisons in the allocator's hot path go through them.

    @inlinable
    public static func == (lhs: IPFamily, rhs: IPFamily) -> Bool {
        lhs.versionNumber == rhs.versionNumber
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(versionNumber)
    }

    @inlinable
    public static func < (lhs: IPFamily, rhs: IPFamily) -> Bool {
        lhs.versionNumber < rhs.versionNumber
    }

    /// Same as `rawValue`, but guaranteed to be inlinable.
    @inlinable
    @inline(__always)
    internal var versionNumber: UInt8 {
        switch self {
        case .ipv4: 4
        case .ipv6: 6
        }
    }

    /// Number of bits in an address of this family.
    @inlinable
    public var bitWidth: Int {
        switch self {
        case .ipv4: 32
        case .ipv6: 128
        }
    }

    /// The largest address value of this family; `IPAddress.value` never exceeds it.
    @inlinable
    public var maxValue: UInt128 {
        switch self {
        case .ipv4: 0xFFFF_FFFF
        case .ipv6: UInt128.max
        }
    }

    /// The Kubernetes spelling, as used in a Service's `spec.ipFamilies`.
    public var description: String {
        switch self {
        case .ipv4: "IPv4"
        case .ipv6: "IPv6"
        }
    }

    /// Accepts exactly the spellings Kubernetes uses in `spec.ipFamilies` ("IPv4", "IPv6");
    /// the API server rejects other casings, so we do too.
    public init?(kubernetesName: String) {
        switch kubernetesName {
        case "IPv4": self = .ipv4
        case "IPv6": self = .ipv6
        default: return nil
        }
    }
}
