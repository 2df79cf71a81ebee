import Foundation

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// Why bytes could not be read as JSON, in words fit for a Kubernetes `Status` message.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// Parses a JSON document (RFC 8259, UTF-8); the error says what went wrong and at which byte offset.
    public init(parsing data: some DataProtocol) throws(JSONParseError) {
        self = try Self.parse(contiguousOrCopied: data)
    }

    /// Parses a JSON document from any bytes, e.g. a NIO `ByteBufferView`, without first copying it into `Data`.
    @_disfavoredOverload
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        self = try Self.parse(contiguousOrCopied: bytes)
    }

    private static func parse(contiguousOrCopied bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try parse(buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(JSONParseError) in try parse(buffer) }
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(buffer)
        return try reader.readDocument()
    }

    /// The value as compact JSON with sorted keys, so that equal values give equal bytes.
    public func serialized() -> Data {
        Data(serializedBytes())
    }

    /// Like ``serialized()``, for callers that hand the bytes on (e.g. into a NIO `ByteBuffer`) and so need no `Data`.
    public func serializedBytes() -> [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }

    /// Decodes a typed view of this value (e.g. a `Service`), ignoring members the type does not model.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: serialized())
    }

    /// The JSON form of an encodable value.
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONValue(parsing: data)
    }
}
