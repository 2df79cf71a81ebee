import KubernetesModels

/// apimachinery types with their own JSON form: `IntOrString`, `Time`, `Quantity`.
enum WellKnownTypes {
    /// `{1: type (0 int, 1 string), 2: intVal, 3: strVal}` → `8080` or `"http"`.
    static func intOrString(_ reader: inout WireReader) throws(ProtobufDecodingError) -> JSONValue {
        var type: UInt64 = 0
        var intValue: Int32 = 0
        var stringValue = ""
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            switch (number, wireType) {
            case (1, .varint): type = try reader.readVarint()
            case (2, .varint): intValue = Int32(truncatingIfNeeded: try reader.readVarint())
            case (3, .lengthDelimited):
                stringValue = String(decoding: try reader.readLengthDelimited().remainingBytes, as: UTF8.self)
            case (1...3, _): throw ProtobufDecodingError("IntOrString field \(number) has wire type \(wireType)")
            default: try reader.skip(wireType)
            }
        }
        switch type {
        case 0: return .int(Int64(intValue))
        case 1: return .string(stringValue)
        default: throw ProtobufDecodingError("IntOrString has impossible type \(type)")
        }
    }

    /// `{1: seconds, 2: nanos}` → `"2026-11-26T17:00:00Z"`; an empty message is the zero time, i.e. unset.
    static func time(_ reader: inout WireReader) throws(ProtobufDecodingError) -> JSONValue? {
        guard !reader.isAtEnd else { return nil }
        var seconds: Int64 = 0
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            switch (number, wireType) {
            case (1, .varint): seconds = Int64(bitPattern: try reader.readVarint())
            case (2, .varint): _ = try reader.readVarint()  // JSON keeps whole seconds, like metav1.Time
            case (1...2, _): throw ProtobufDecodingError("Time field \(number) has wire type \(wireType)")
            default: try reader.skip(wireType)
            }
        }
        guard (earliestSeconds...latestSeconds).contains(seconds) else {
            throw ProtobufDecodingError("Time \(seconds) s since 1970 is outside the years 0001 to 9999")
        }
        return .string(Timestamp(secondsSinceEpoch: seconds).description)
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what RFC 3339 with four-digit years can write.
    static let earliestSeconds: Int64 = -62_135_596_800
    static let latestSeconds: Int64 = 253_402_300_799

    /// `{1: string}` → `"500m"`.
    static func quantity(_ reader: inout WireReader) throws(ProtobufDecodingError) -> JSONValue {
        var text = ""
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            switch (number, wireType) {
            case (1, .lengthDelimited):
                text = String(decoding: try reader.readLengthDelimited().remainingBytes, as: UTF8.self)
            case (1, _): throw ProtobufDecodingError("Quantity field 1 has wire type \(wireType)")
            default: try reader.skip(wireType)
            }
        }
        return .string(text)
    }
}
