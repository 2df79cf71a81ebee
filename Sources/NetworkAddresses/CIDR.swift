/// An address with a prefix length, such as `192.0.2.0/24` or `2001:db8::/32`.
///
/// The address is kept exactly as written, host bits included, because the same text is used
/// both for networks ("192.0.2.0/24") and for an interface address with its subnet
/// ("192.0.2.10/24"); `network` and `hasHostBits` tell the two apart.
@frozen
public struct CIDR: Hashable, Sendable {
    public let address: IPAddress
    public let prefixLength: Int

    /// Callers guarantee `0...address.family.bitWidth ~= prefixLength`.
    @inlinable
    @inline(__always)
    internal init(uncheckedAddress address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Returns `nil` when `prefixLength` is outside `0...address.family.bitWidth`.
    @inlinable
    public init?(address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0 && prefixLength <= address.family.bitWidth else { return nil }
        self.init(uncheckedAddress: address, prefixLength: prefixLength)
    }

    @inlinable
    public static func == (lhs: CIDR, rhs: CIDR) -> Bool {
        lhs.address == rhs.address && lhs.prefixLength == rhs.prefixLength
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(address)
        hasher.combine(prefixLength)
    }

    @inlinable
    public var family: IPFamily {
        address.family
    }

    /// The bits that vary inside the prefix, within the family's width.
    @inlinable
    internal var hostMask: UInt128 {
        // Spelled out because `&>>` would reduce a 128-bit shift to no shift at all.
        prefixLength >= 128 ? 0 : address.family.maxValue &>> prefixLength
    }

    /// The first address of the prefix: `address` with the host bits cleared.
    @inlinable
    public var network: IPAddress {
        IPAddress(uncheckedFamily: address.family, value: address.value & ~hostMask)
    }

    /// The last address of the prefix (the broadcast address for IPv4).
    @inlinable
    public var lastAddress: IPAddress {
        IPAddress(uncheckedFamily: address.family, value: address.value | hostMask)
    }

    /// True when `address` is not the network address, e.g. "192.0.2.10/24".
    @inlinable
    public var hasHostBits: Bool {
        address.value & hostMask != 0
    }

    /// The number of addresses in the prefix, 2^(bitWidth - prefixLength).
    ///
    /// The one value that does not fit, 2^128 for IPv6 `::/0`, is reported as `UInt128.max`
    /// (one less). Callers that size things from this count cannot reach either number in
    /// practice, so saturating is preferred over making every caller handle an optional.
    @inlinable
    public var addressCount: UInt128 {
        let mask = hostMask
        return mask == UInt128.max ? mask : mask + 1
    }

    /// Whether `other` lies inside the prefix; addresses of the other family never do.
    @inlinable
    public func contains(_ other: IPAddress) -> Bool {
        other.family == address.family && (other.value ^ address.value) & ~hostMask == 0
    }
}

extension CIDR: LosslessStringConvertible {
    /// The address as written (host bits kept) in canonical form, then the prefix length.
    public var description: String {
        "\(address)/\(prefixLength)"
    }

    public init?(_ text: String) {
        guard case .success(let cidr) = CIDR.parse(text[...]) else { return nil }
        self = cidr
    }

    /// Parses "<address>/<prefix length>" with the same strictness as `IPAddress.parse(_:)`.
    ///
    /// The prefix length must be plain decimal without a sign or leading zeros, as in Go's
    /// `netip.ParsePrefix`. Does not trim whitespace.
    public static func parse(_ text: Substring) -> Result<CIDR, CIDRParseError> {
        guard let slash = text.utf8.firstIndex(of: UInt8(ascii: "/")) else {
            return .failure(CIDRParseError(.missingSlash))
        }
        let address: IPAddress
        switch IPAddress.parse(text[..<slash]) {
        case .success(let parsed): address = parsed
        case .failure(let error): return .failure(CIDRParseError(.badAddress(error)))
        }

        let lengthText = text[text.utf8.index(after: slash)...]
        if lengthText.isEmpty {
            return .failure(CIDRParseError(.emptyPrefixLength))
        }
        let maximum = address.family.bitWidth
        var length = 0
        for byte in lengthText.utf8 {
            guard let digit = AddressTextParser.decimalValue(byte) else {
                return .failure(CIDRParseError(.prefixLengthNotANumber(String(lengthText))))
            }
            // Stop accumulating once out of range so long digit runs cannot overflow.
            if length <= maximum {
                length = length * 10 + Int(digit)
            }
        }
        if lengthText.utf8.count > 1 && lengthText.utf8.first == UInt8(ascii: "0") {
            return .failure(CIDRParseError(.prefixLengthLeadingZero(String(lengthText))))
        }
        guard length <= maximum else {
            return .failure(CIDRParseError(.prefixLengthOutOfRange(String(lengthText), address.family)))
        }
        return .success(CIDR(uncheckedAddress: address, prefixLength: length))
    }
}
