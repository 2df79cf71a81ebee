/// A minimal protobuf encoder for building test messages field by field, including malformed ones.
struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func tag(_ field: Int, _ wireType: UInt8) {
        rawVarint(UInt64(field) << 3 | UInt64(wireType))
    }

    mutating func rawVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func varint(_ field: Int, _ value: Int64) {
        tag(field, 0)
        rawVarint(UInt64(bitPattern: value))
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        varint(field, value ? 1 : 0)
    }

    mutating func bytes(_ field: Int, _ data: [UInt8]) {
        tag(field, 2)
        rawVarint(UInt64(data.count))
        bytes += data
    }

    mutating func string(_ field: Int, _ text: String) {
        bytes(field, Array(text.utf8))
    }

    mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }

    mutating func fixed32(_ field: Int, _ value: UInt32) {
        tag(field, 5)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    mutating func fixed64(_ field: Int, _ value: UInt64) {
        tag(field, 1)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    /// A `map<string, string>` entry.
    mutating func mapEntry(_ field: Int, _ key: String, _ value: String) {
        message(field) {
            $0.string(1, key)
            $0.string(2, value)
        }
    }

    /// `k8s\0` + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}, as kubectl frames a body.
    static func envelope(
        apiVersion: String, kind: String, contentEncoding: String = "", contentType: String = "",
        _ build: (inout ProtoWriter) -> Void
    ) -> [UInt8] {
        var raw = ProtoWriter()
        build(&raw)
        var unknown = ProtoWriter()
        unknown.message(1) {
            $0.string(1, apiVersion)
            $0.string(2, kind)
        }
        unknown.bytes(2, raw.bytes)
        unknown.string(3, contentEncoding)
        unknown.string(4, contentType)
        return [0x6b, 0x38, 0x73, 0x00] + unknown.bytes
    }
}
