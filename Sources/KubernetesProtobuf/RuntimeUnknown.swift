/// `runtime.Unknown` (apimachinery `pkg/runtime/generated.proto`), the envelope after the `k8s\0` magic:
/// the object's apiVersion and kind, and the object itself as `raw` bytes.
struct RuntimeUnknown {
    var apiVersion = ""
    var kind = ""
    var raw: [UInt8] = []
    var contentEncoding = ""
    var contentType = ""

    init(_ reader: inout WireReader) throws(ProtobufDecodingError) {
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            switch (number, wireType) {
            case (1, .lengthDelimited):
                var typeMeta = try reader.readLengthDelimited()
                try readTypeMeta(&typeMeta)
            case (2, .lengthDelimited):
                raw = Array(try reader.readLengthDelimited().remainingBytes)
            case (3, .lengthDelimited):
                contentEncoding = try Self.string(&reader)
            case (4, .lengthDelimited):
                contentType = try Self.string(&reader)
            case (1...4, _):
                throw ProtobufDecodingError("runtime.Unknown field \(number) has wire type \(wireType)")
            default:
                try reader.skip(wireType)
            }
        }
    }

    /// `TypeMeta {1: apiVersion, 2: kind}`.
    private mutating func readTypeMeta(_ reader: inout WireReader) throws(ProtobufDecodingError) {
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            switch (number, wireType) {
            case (1, .lengthDelimited): apiVersion = try Self.string(&reader)
            case (2, .lengthDelimited): kind = try Self.string(&reader)
            case (1...2, _): throw ProtobufDecodingError("TypeMeta field \(number) has wire type \(wireType)")
            default: try reader.skip(wireType)
            }
        }
    }

    private static func string(_ reader: inout WireReader) throws(ProtobufDecodingError) -> String {
        String(decoding: try reader.readLengthDelimited().remainingBytes, as: UTF8.self)
    }
}
