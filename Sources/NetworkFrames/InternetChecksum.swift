import NetworkAddresses

/// The RFC 1071 one's-complement checksum, and its ICMPv6 form over the RFC 4443 §2.3
/// pseudo-header.
public enum InternetChecksum {
    /// The checksum of `bytes` alone; an odd final byte is padded with zero.
    public static func of(_ bytes: some Collection<UInt8>) -> UInt16 {
        var sum = Sum()
        sum.add(bytes)
        return sum.checksum
    }

    /// The checksum of an ICMPv6 message whose checksum field is zero (or, to verify a received
    /// message, 0 when the field holds the correct value).
    ///
    /// The pseudo-header binds the message to its addresses, so that a neighbour advertisement
    /// cannot be replayed between other hosts without the checksum failing.
    public static func icmpv6(source: IPAddress, destination: IPAddress, message: some Collection<UInt8>) -> UInt16 {
        var pseudoHeader: [UInt8] = []
        pseudoHeader.reserveCapacity(40)
        pseudoHeader.appendBigEndian(source.value)
        pseudoHeader.appendBigEndian(destination.value)
        pseudoHeader.appendBigEndian(UInt32(truncatingIfNeeded: message.count))
        pseudoHeader.append(contentsOf: [0, 0, 0, IPv6Header.icmpv6NextHeader])
        var sum = Sum()
        sum.add(pseudoHeader)
        sum.add(message)
        return sum.checksum
    }

    /// Accumulates 16-bit words in 64 bits, which cannot overflow for any frame size, and folds
    /// the carries only at the end.
    private struct Sum {
        var total: UInt64 = 0

        mutating func add(_ bytes: some Collection<UInt8>) {
            var high: UInt8? = nil
            for byte in bytes {
                if let first = high {
                    total += UInt64(first) << 8 | UInt64(byte)
                    high = nil
                } else {
                    high = byte
                }
            }
            if let first = high {
                total += UInt64(first) << 8
            }
        }

        var checksum: UInt16 {
            var folded = total
            while folded >> 16 != 0 {
                folded = (folded & 0xFFFF) + (folded >> 16)
            }
            return ~UInt16(truncatingIfNeeded: folded)
        }
    }
}
