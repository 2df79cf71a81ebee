import NetworkAddresses

/// An Ethernet (EUI-48) hardware address.
///
/// Kept as the low 48 bits of a `UInt64` so that it is a trivially copyable, hashable value
/// that frames can embed without allocating.
@frozen
public struct MACAddress: Hashable, Sendable {
    /// The address in network byte order in the low 48 bits; the top 16 bits are always zero.
    public let rawValue: UInt64

    @inlinable
    internal init(uncheckedRawValue rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Returns `nil` when bits above the 48th are set, so that equal addresses compare equal.
    @inlinable
    public init?(rawValue: UInt64) {
        guard rawValue >> 48 == 0 else { return nil }
        self.init(uncheckedRawValue: rawValue)
    }

    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, _ b5: UInt8) {
        var value: UInt64 = 0
        for byte in [b0, b1, b2, b3, b4, b5] {
            value = value << 8 | UInt64(byte)
        }
        self.init(uncheckedRawValue: value)
    }

    /// Returns `nil` unless `bytes` holds exactly six bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 6 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            value = value << 8 | UInt64(byte)
        }
        self.init(uncheckedRawValue: value)
    }

    /// The six bytes in transmission order.
    public var bytes: [UInt8] {
        (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * $0)) }
    }

    /// ff:ff:ff:ff:ff:ff, where gratuitous ARP and ARP probes are sent.
    public static let broadcast = MACAddress(uncheckedRawValue: 0xFFFF_FFFF_FFFF)

    /// 00:00:00:00:00:00, the "unknown" target hardware address of an ARP request.
    public static let zero = MACAddress(uncheckedRawValue: 0)

    public var isBroadcast: Bool { self == .broadcast }

    /// The group bit (least significant bit of the first byte); broadcast counts as multicast.
    public var isMulticast: Bool { rawValue & 0x0100_0000_0000 != 0 }

    /// The 33:33:xx:xx:xx:xx group address an IPv6 multicast destination maps to (RFC 2464 §7).
    ///
    /// Returns `nil` for anything but an IPv6 multicast address (ff00::/8), because only those
    /// have a link-layer mapping; unicast destinations need neighbour resolution instead.
    public init?(ipv6Multicast address: IPAddress) {
        guard address.family == .ipv6, address.value >> 120 == 0xFF else { return nil }
        self.init(uncheckedRawValue: 0x3333_0000_0000 | UInt64(truncatingIfNeeded: address.value & 0xFFFF_FFFF))
    }
}

extension MACAddress: LosslessStringConvertible {
    /// Lowercase colon-separated hex, the form of `/sys/class/net/<if>/address` and `ip link`.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(17)
        for (index, byte) in bytes.enumerated() {
            if index > 0 {
                text.append(UInt8(ascii: ":"))
            }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Accepts exactly "xx:xx:xx:xx:xx:xx" with two hex digits per byte, either case.
    ///
    /// Other spellings (dashes, dots, single digits) are refused rather than guessed at, because
    /// the addresses come from the kernel, which always writes this form.
    public init?(_ description: String) {
        let text = Array(description.utf8)
        guard text.count == 17 else { return nil }
        var value: UInt64 = 0
        for group in 0..<6 {
            let start = group * 3
            if group > 0 && text[start - 1] != UInt8(ascii: ":") {
                return nil
            }
            guard let high = Self.hexValue(text[start]), let low = Self.hexValue(text[start + 1]) else {
                return nil
            }
            value = value << 8 | UInt64(high << 4 | low)
        }
        self.init(uncheckedRawValue: value)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
