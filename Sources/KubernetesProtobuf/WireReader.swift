/// A cursor over protobuf wire-format bytes that checks every length against what is left, so malformed
/// or truncated input fails with an error instead of reading past the end.
struct WireReader {
    enum WireType: UInt8, CustomStringConvertible {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5

        var description: String {
            switch self {
            case .varint: "varint"
            case .fixed64: "64-bit"
            case .lengthDelimited: "length-delimited"
            case .startGroup: "start-group"
            case .endGroup: "end-group"
            case .fixed32: "32-bit"
            }
        }
    }

    private let bytes: [UInt8]
    private(set) var position: Int
    private let end: Int

    /// Reads `bytes[start...]`; positions in error messages count from the start of `bytes`.
    init(_ bytes: [UInt8], from start: Int = 0) {
        self.init(bytes, from: start, to: bytes.count)
    }

    private init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
    }

    var isAtEnd: Bool { position >= end }

    mutating func readTag() throws(ProtobufDecodingError) -> (field: Int, wireType: WireType) {
        let key = try readVarint()
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw ProtobufDecodingError("invalid wire type \(key & 7) at byte \(position)")
        }
        let field = key >> 3
        guard field > 0, field <= 536_870_911 else {
            throw ProtobufDecodingError("invalid field number \(field) at byte \(position)")
        }
        return (Int(field), wireType)
    }

    mutating func readVarint() throws(ProtobufDecodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ProtobufDecodingError("truncated varint at byte \(position)") }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 {
                throw ProtobufDecodingError("varint longer than 64 bits at byte \(position - 1)")
            }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// The bytes of a length-delimited field, as a reader limited to them.
    mutating func readLengthDelimited() throws(ProtobufDecodingError) -> WireReader {
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw ProtobufDecodingError(
                "length \(length) at byte \(position) runs past the end of its message (\(end - position) bytes left)")
        }
        let start = position
        position += Int(length)
        return WireReader(bytes, from: start, to: position)
    }

    /// The rest of this reader's bytes.
    var remainingBytes: ArraySlice<UInt8> { bytes[position..<end] }

    mutating func skip(_ wireType: WireType) throws(ProtobufDecodingError) {
        switch wireType {
        case .varint:
            _ = try readVarint()
        case .fixed64:
            try advance(by: 8)
        case .fixed32:
            try advance(by: 4)
        case .lengthDelimited:
            _ = try readLengthDelimited()
        case .startGroup, .endGroup:
            throw ProtobufDecodingError("unsupported \(wireType) field at byte \(position)")
        }
    }

    private mutating func advance(by count: Int) throws(ProtobufDecodingError) {
        guard count <= end - position else { throw ProtobufDecodingError("truncated field at byte \(position)") }
        position += count
    }
}
