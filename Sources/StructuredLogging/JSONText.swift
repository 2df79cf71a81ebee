import Logging

/// JSON text built as UTF-8 bytes, the form the line is written in.
///
/// Only what a log line needs: strings, objects with string keys and arrays. Metadata values are all text in
/// swift-log (`stringConvertible` is shown by its description), so there are no numbers to get wrong.
struct JSONText {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append(raw text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A JSON string: quotes, backslashes and every control character escaped (RFC 8259 §7); everything
    /// else, including non-ASCII, copied as UTF-8 so that log viewers show it as written.
    mutating func append(string: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = string
        text.withUTF8 { utf8 in
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): append(raw: "\\\"")
                case UInt8(ascii: "\\"): append(raw: "\\\\")
                case 0x0A: append(raw: "\\n")
                case 0x0D: append(raw: "\\r")
                case 0x09: append(raw: "\\t")
                case 0x08: append(raw: "\\b")
                case 0x0C: append(raw: "\\f")
                case 0x00..<0x20:
                    append(raw: "\\u00")
                    bytes.append(Self.hexDigit(byte >> 4))
                    bytes.append(Self.hexDigit(byte & 0x0F))
                default:
                    bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func append(number: UInt) {
        bytes.append(contentsOf: String(number).utf8)
    }

    /// A metadata value in its natural JSON shape: nested dictionaries as objects and arrays as arrays, so that
    /// a log pipeline can query into them instead of parsing swift-log's bracketed text.
    mutating func append(value: Logger.MetadataValue) {
        switch value {
        case .string(let text): append(string: text)
        case .stringConvertible(let convertible): append(string: convertible.description)
        case .dictionary(let dictionary): append(object: dictionary)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                append(value: element)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    /// Keys sorted, so that the same metadata always gives the same line (diffable, testable).
    mutating func append(object: Logger.Metadata) {
        bytes.append(UInt8(ascii: "{"))
        for (index, key) in object.keys.sorted().enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            append(string: key)
            bytes.append(UInt8(ascii: ":"))
            if let value = object[key] { append(value: value) }
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
