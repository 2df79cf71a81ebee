import NetworkAddresses

extension Array where Element == UInt8 {
    /// Appends `value` in network byte order.
    internal mutating func appendBigEndian<Value: FixedWidthInteger>(_ value: Value) {
        var shift = Value.bitWidth - 8
        while shift >= 0 {
            append(UInt8(truncatingIfNeeded: value >> shift))
            shift -= 8
        }
    }

    internal mutating func append(_ address: MACAddress) {
        append(contentsOf: address.bytes)
    }

    /// Appends 4 bytes for IPv4 and 16 for IPv6.
    internal mutating func append(_ address: IPAddress) {
        switch address.family {
        case .ipv4: appendBigEndian(UInt32(truncatingIfNeeded: address.value))
        case .ipv6: appendBigEndian(address.value)
        }
    }
}
