import Foundation
import KubernetesModels

/// Turns protobuf bytes into the JSON form of the message, driven by a ``MessageDescriptor``.
///
/// Unknown field numbers are skipped (newer clients send fields this table does not list); a known field
/// with the wrong wire type is an error, as in Go's generated unmarshalers.
enum MessageDecoder {
    /// Far deeper than any described message nests; a guard against descriptors, not input.
    static let maximumDepth = 32

    static func decode(
        _ reader: inout WireReader, as descriptor: MessageDescriptor, depth: Int = 0
    ) throws(ProtobufDecodingError) -> [String: JSONValue] {
        guard depth <= maximumDepth else {
            throw ProtobufDecodingError("\(descriptor.name) nests deeper than \(maximumDepth) messages")
        }
        var members: [String: JSONValue] = [:]
        var lists: [String: [JSONValue]] = [:]
        var maps: [String: [String: JSONValue]] = [:]
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            guard let field = descriptor.fields[number] else {
                try reader.skip(wireType)
                continue
            }
            let context = Context(message: descriptor.name, field: field, depth: depth)
            switch field.type {
            case .repeated(let element):
                lists[field.name, default: []] += try readRepeated(element, wireType, &reader, context)
            case .map(let valueType):
                let (key, value) = try readMapEntry(valueType, wireType, &reader, context)
                maps[field.name, default: [:]][key] = value
            default:
                members[field.name] = try readValue(field.type, wireType, &reader, context)
            }
        }
        for field in descriptor.fields.values where field.presence == .omitEmpty {
            if let value = members[field.name], isZero(value) { members[field.name] = nil }
        }
        for (name, list) in lists { members[name] = .array(list) }
        for (name, map) in maps { members[name] = .object(map) }
        return members
    }

    struct Context {
        let message: String
        let field: FieldDescriptor
        let depth: Int

        func wrongWireType(_ actual: WireReader.WireType, expected: WireReader.WireType) -> ProtobufDecodingError {
            ProtobufDecodingError(
                "\(message).\(field.name) (field \(field.number)) has wire type \(actual), expected \(expected)")
        }
    }

    /// One value of a singular field or list element; `nil` for an unset `Time`.
    private static func readValue(
        _ type: FieldType, _ wireType: WireReader.WireType, _ reader: inout WireReader, _ context: Context
    ) throws(ProtobufDecodingError) -> JSONValue? {
        switch type {
        case .bool, .int32, .int64:
            guard wireType == .varint else { throw context.wrongWireType(wireType, expected: .varint) }
            return scalar(type, try reader.readVarint())
        case .repeated, .map:
            throw ProtobufDecodingError("\(context.message).\(context.field.name) nests a list or map directly")
        default:
            guard wireType == .lengthDelimited else {
                throw context.wrongWireType(wireType, expected: .lengthDelimited)
            }
            var content = try reader.readLengthDelimited()
            return try readLengthDelimitedValue(type, &content, context)
        }
    }

    private static func scalar(_ type: FieldType, _ raw: UInt64) -> JSONValue {
        switch type {
        case .bool: .bool(raw != 0)
        case .int32: .int(Int64(Int32(truncatingIfNeeded: raw)))
        default: .int(Int64(bitPattern: raw))
        }
    }

    private static func readLengthDelimitedValue(
        _ type: FieldType, _ content: inout WireReader, _ context: Context
    ) throws(ProtobufDecodingError) -> JSONValue? {
        switch type {
        case .string:
            return .string(String(decoding: content.remainingBytes, as: UTF8.self))
        case .bytes:
            return .string(Data(content.remainingBytes).base64EncodedString())
        case .message(let descriptor):
            return .object(try decode(&content, as: descriptor, depth: context.depth + 1))
        case .intOrString:
            return try WellKnownTypes.intOrString(&content)
        case .time:
            return try WellKnownTypes.time(&content)
        case .quantity:
            return try WellKnownTypes.quantity(&content)
        case .bool, .int32, .int64, .repeated, .map:
            throw ProtobufDecodingError("\(context.message).\(context.field.name) is not length-delimited")
        }
    }

    private static func readRepeated(
        _ element: FieldType, _ wireType: WireReader.WireType, _ reader: inout WireReader, _ context: Context
    ) throws(ProtobufDecodingError) -> [JSONValue] {
        if element.isVarint && wireType == .lengthDelimited {
            // Packed encoding: one length-delimited run of varints.
            var packed = try reader.readLengthDelimited()
            var values: [JSONValue] = []
            while !packed.isAtEnd { values.append(scalar(element, try packed.readVarint())) }
            return values
        }
        guard let value = try readValue(element, wireType, &reader, context) else { return [] }
        return [value]
    }

    private static func readMapEntry(
        _ valueType: FieldType, _ wireType: WireReader.WireType, _ reader: inout WireReader, _ context: Context
    ) throws(ProtobufDecodingError) -> (String, JSONValue) {
        guard wireType == .lengthDelimited else { throw context.wrongWireType(wireType, expected: .lengthDelimited) }
        var entry = try reader.readLengthDelimited()
        var key = ""
        var value: JSONValue?
        while !entry.isAtEnd {
            let (number, entryWireType) = try entry.readTag()
            switch number {
            case 1:
                guard entryWireType == .lengthDelimited else {
                    throw context.wrongWireType(entryWireType, expected: .lengthDelimited)
                }
                key = String(decoding: try entry.readLengthDelimited().remainingBytes, as: UTF8.self)
            case 2:
                value = try readValue(valueType, entryWireType, &entry, context)
            default:
                try entry.skip(entryWireType)
            }
        }
        return (key, value ?? zeroValue(valueType))
    }

    /// What Go reads for a map entry sent without its value.
    private static func zeroValue(_ type: FieldType) -> JSONValue {
        switch type {
        case .string, .bytes: .string("")
        case .bool: .bool(false)
        case .int32, .int64, .intOrString: .int(0)
        case .quantity: .string("0")
        case .message: .object([:])
        case .repeated: .array([])
        case .map: .object([:])
        case .time: .null
        }
    }

    private static func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.isEmpty
        case .int(let number): number == 0
        case .bool(let flag): !flag
        default: false
        }
    }
}
