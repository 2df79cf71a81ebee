import NetworkAddresses

/// A bounds-checked cursor over received bytes; every read either succeeds or reports how
/// much was missing, so decoders never index past the end.
internal struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let layer: FrameLayer

    init(_ bytes: [UInt8], layer: FrameLayer) {
        self.bytes = bytes
        self.offset = 0
        self.layer = layer
    }

    var remaining: Int { bytes.count - offset }

    func require(_ count: Int) throws(FrameDecodingError) {
        guard count <= remaining else {
            throw .truncated(layer, needed: offset + count, available: bytes.count)
        }
    }

    mutating func readUInt8() throws(FrameDecodingError) -> UInt8 {
        try require(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(FrameDecodingError) -> UInt16 {
        UInt16(try readInteger(bytes: 2))
    }

    mutating func readUInt32() throws(FrameDecodingError) -> UInt32 {
        UInt32(try readInteger(bytes: 4))
    }

    mutating func readMAC() throws(FrameDecodingError) -> MACAddress {
        MACAddress(uncheckedRawValue: UInt64(try readInteger(bytes: 6)))
    }

    mutating func readIPv4() throws(FrameDecodingError) -> IPAddress {
        IPAddress(ipv4: try readUInt32())
    }

    mutating func readIPv6() throws(FrameDecodingError) -> IPAddress {
        IPAddress(ipv6: try readInteger(bytes: 16))
    }

    mutating func readBytes(_ count: Int) throws(FrameDecodingError) -> [UInt8] {
        try require(count)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func skip(_ count: Int) throws(FrameDecodingError) {
        try require(count)
        offset += count
    }

    /// Reads `count` (at most 16) bytes as a big-endian number.
    private mutating func readInteger(bytes count: Int) throws(FrameDecodingError) -> UInt128 {
        try require(count)
        var value: UInt128 = 0
        for index in offset..<offset + count {
            value = value << 8 | UInt128(bytes[index])
        }
        offset += count
        return value
    }
}
