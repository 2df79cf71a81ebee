/// An RFC 8259 parser over UTF-8 bytes, producing a ``JSONValue`` in one pass.
///
/// Hand-written because going through `JSONDecoder` and `Codable` tried each JSON type in turn for every value
/// and cost ~200 µs per Service object, while every request body, watch event and journal line passes here.
/// It is strict where Go's decoder is lenient only about lone surrogates and invalid UTF-8 (Go substitutes
/// U+FFFD); its error wording follows Go's `encoding/json` so messages read like kube-apiserver's, with the
/// byte offset added.
struct JSONReader {
    /// Deep enough for any Kubernetes object, shallow enough that recursion cannot exhaust a thread's stack.
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    private var depth = 0
    /// Reused for strings with escapes, so that decoding them allocates only the resulting `String`.
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Exactly one value, with nothing but whitespace around it.
    mutating func readDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try readValue()
        skipWhitespace()
        guard offset == bytes.count else { throw unexpected("after top-level value") }
        return value
    }

    // MARK: - Values

    private mutating func readValue() throws(JSONParseError) -> JSONValue {
        switch current {
        case .openBrace: return try readObject()
        case .openBracket: return try readArray()
        case .quote: return .string(try readString())
        case .minus, .zero...(.nine): return try readNumber()
        case .lowerT:
            try readLiteral("true")
            return .bool(true)
        case .lowerF:
            try readLiteral("false")
            return .bool(false)
        case .lowerN:
            try readLiteral("null")
            return .null
        default: throw unexpected("looking for beginning of value")
        }
    }

    private mutating func readLiteral(_ literal: StaticString) throws(JSONParseError) {
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in expected {
            guard current == byte else {
                throw unexpected("in literal \(literal) (expecting '\(Character(Unicode.Scalar(byte)))')")
            }
            offset += 1
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw JSONParseError(
                "exceeded max depth of \(Self.maximumDepth) nested arrays and objects at offset \(offset)")
        }
        offset += 1
        skipWhitespace()
    }

    private mutating func readObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        var members: [String: JSONValue] = [:]
        if current == .closeBrace {
            offset += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard current == .quote else { throw unexpected("looking for beginning of object key string") }
            let key = try readString()
            skipWhitespace()
            guard current == .colon else { throw unexpected("after object key") }
            offset += 1
            skipWhitespace()
            // Last wins for a repeated key, as with Go's decoder, which kube-apiserver uses.
            members[key] = try readValue()
            skipWhitespace()
            switch current {
            case .comma:
                offset += 1
                skipWhitespace()
            case .closeBrace:
                offset += 1
                depth -= 1
                return .object(members)
            default: throw unexpected("after object key:value pair")
            }
        }
    }

    private mutating func readArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        var elements: [JSONValue] = []
        if current == .closeBracket {
            offset += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try readValue())
            skipWhitespace()
            switch current {
            case .comma:
                offset += 1
                skipWhitespace()
            case .closeBracket:
                offset += 1
                depth -= 1
                return .array(elements)
            default: throw unexpected("after array element")
            }
        }
    }

    // MARK: - Numbers

    /// Integers that fit `Int64` stay integers (ports, resource versions, generations); anything with a
    /// fraction, an exponent or too many digits becomes a `Double`.
    private mutating func readNumber() throws(JSONParseError) -> JSONValue {
        let start = offset
        let negative = current == .minus
        if negative { offset += 1 }
        let digitsStart = offset
        if current == .zero {
            offset += 1
            if current.isDigit { throw unexpected("after leading zero in numeric literal") }
        } else {
            guard current.isDigit else { throw unexpected("in numeric literal") }
            skipDigits()
        }
        let integerDigits = offset - digitsStart
        var isInteger = true
        if current == .period {
            isInteger = false
            offset += 1
            guard current.isDigit else { throw unexpected("after decimal point in numeric literal") }
            skipDigits()
        }
        if current == .lowerE || current == .upperE {
            isInteger = false
            offset += 1
            if current == .plus || current == .minus { offset += 1 }
            guard current.isDigit else { throw unexpected("in exponent of numeric literal") }
            skipDigits()
        }
        if isInteger, let value = integer(digits: digitsStart..<(digitsStart + integerDigits), negative: negative) {
            return .int(value)
        }
        let token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let value = Double(token), value.isFinite else {
            throw JSONParseError("number \(token) is out of range at offset \(start)")
        }
        return .double(value)
    }

    private mutating func skipDigits() {
        while current.isDigit { offset += 1 }
    }

    /// Accumulated negatively so that `Int64.min` fits; `nil` when the digits overflow.
    private func integer(digits: Range<Int>, negative: Bool) -> Int64? {
        var value: Int64 = 0
        if digits.count <= 18 {
            for index in digits { value = value &* 10 &- Int64(bytes[index] &- .zero) }
        } else {
            for index in digits {
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = shifted.subtractingReportingOverflow(Int64(bytes[index] &- .zero))
                if overflow1 || overflow2 { return nil }
                value = next
            }
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    // MARK: - Strings

    /// A string whose opening quote is at the current offset. Runs without escapes become the `String`
    /// directly from the input bytes.
    private mutating func readString() throws(JSONParseError) -> String {
        offset += 1
        let start = offset
        var seen: UInt8 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == .quote {
                let run = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                return try Self.makeString(run, asciiOnly: seen < 0x80, start: start)
            }
            if byte == .backslash { return try readEscapedString(from: start, seen: seen) }
            if byte < 0x20 { throw unexpected("in string literal") }
            seen |= byte
            offset += 1
        }
        throw unexpected("in string literal")
    }

    /// `seen` is the union of the bytes before the first backslash.
    private mutating func readEscapedString(from start: Int, seen: UInt8) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var seen = seen
        var runStart = start
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == .quote {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<offset]))
                offset += 1
                return try scratch.withUnsafeBufferPointer { (utf8) throws(JSONParseError) in
                    try Self.makeString(utf8, asciiOnly: seen < 0x80, start: start)
                }
            }
            if byte == .backslash {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<offset]))
                offset += 1
                seen |= try readEscape()
                runStart = offset
                continue
            }
            if byte < 0x20 { throw unexpected("in string literal") }
            seen |= byte
            offset += 1
        }
        throw unexpected("in string literal")
    }

    private static func makeString(
        _ utf8: UnsafeBufferPointer<UInt8>, asciiOnly: Bool, start: Int
    ) throws(JSONParseError) -> String {
        if asciiOnly { return String(decoding: utf8, as: UTF8.self) }
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw JSONParseError("invalid UTF-8 in string literal at offset \(start - 1)")
        }
        return string
    }

    /// The escape after a backslash, appended to `scratch` as UTF-8; returns the bytes' union so the caller
    /// knows whether the string is still ASCII.
    private mutating func readEscape() throws(JSONParseError) -> UInt8 {
        let simple: UInt8
        switch current {
        case .quote: simple = .quote
        case .backslash: simple = .backslash
        case .slash: simple = .slash
        case .lowerB: simple = 0x08
        case .lowerF: simple = 0x0C
        case .lowerN: simple = 0x0A
        case .lowerR: simple = 0x0D
        case .lowerT: simple = 0x09
        case .lowerU:
            let escapeStart = offset - 1
            offset += 1
            var scalar = UInt32(try readHex4())
            if (0xD800...0xDBFF).contains(scalar) {
                guard current == .backslash, byte(at: offset + 1) == .lowerU else {
                    throw JSONParseError("unpaired surrogate in \\u escape at offset \(escapeStart)")
                }
                offset += 2
                let low = UInt32(try readHex4())
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParseError("unpaired surrogate in \\u escape at offset \(escapeStart)")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw JSONParseError("unpaired surrogate in \\u escape at offset \(escapeStart)")
            }
            return appendUTF8(scalar)
        default: throw unexpected("in string escape code")
        }
        offset += 1
        scratch.append(simple)
        return simple
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = current
            let digit: UInt8
            switch byte {
            case .zero...(.nine): digit = byte - .zero
            case 0x61...0x66: digit = byte - 0x61 + 10
            case 0x41...0x46: digit = byte - 0x41 + 10
            default: throw unexpected("in \\u hexadecimal character escape")
            }
            value = value << 4 | UInt16(digit)
            offset += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) -> UInt8 {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
            return UInt8(scalar)
        case ..<0x800:
            scratch.append(0xC0 | UInt8(scalar >> 6))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        case ..<0x10000:
            scratch.append(0xE0 | UInt8(scalar >> 12))
            scratch.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(scalar >> 18))
            scratch.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            scratch.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        }
        return 0x80
    }

    // MARK: - Bytes

    /// The byte at the offset, or 0 past the end: NUL is never valid where a token is expected, so the end
    /// needs no separate check on the hot paths.
    private var current: UInt8 { byte(at: offset) }

    private func byte(at index: Int) -> UInt8 {
        index < bytes.count ? bytes[index] : 0
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    private func unexpected(_ context: String) -> JSONParseError {
        guard offset < bytes.count else { return JSONParseError("unexpected end of JSON input at offset \(offset)") }
        return JSONParseError("invalid character \(Self.quoted(bytes[offset])) \(context) at offset \(offset)")
    }

    /// A byte as Go quotes it in its messages: `'x'`, `'\n'`, or `'\x00'` style for other bytes.
    static func quoted(_ byte: UInt8) -> String {
        switch byte {
        case 0x0A: return "'\\n'"
        case 0x0D: return "'\\r'"
        case 0x09: return "'\\t'"
        case 0x27: return "'\\''"
        case 0x5C: return "'\\\\'"
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            let hex = String(byte, radix: 16, uppercase: false)
            return "'\\x\(hex.count == 1 ? "0" + hex : hex)'"
        }
    }
}

extension UInt8 {
    fileprivate static let quote: UInt8 = 0x22
    fileprivate static let backslash: UInt8 = 0x5C
    fileprivate static let slash: UInt8 = 0x2F
    fileprivate static let openBrace: UInt8 = 0x7B
    fileprivate static let closeBrace: UInt8 = 0x7D
    fileprivate static let openBracket: UInt8 = 0x5B
    fileprivate static let closeBracket: UInt8 = 0x5D
    fileprivate static let colon: UInt8 = 0x3A
    fileprivate static let comma: UInt8 = 0x2C
    fileprivate static let minus: UInt8 = 0x2D
    fileprivate static let plus: UInt8 = 0x2B
    fileprivate static let period: UInt8 = 0x2E
    fileprivate static let zero: UInt8 = 0x30
    fileprivate static let nine: UInt8 = 0x39
    fileprivate static let lowerB: UInt8 = 0x62
    fileprivate static let lowerE: UInt8 = 0x65
    fileprivate static let upperE: UInt8 = 0x45
    fileprivate static let lowerF: UInt8 = 0x66
    fileprivate static let lowerN: UInt8 = 0x6E
    fileprivate static let lowerR: UInt8 = 0x72
    fileprivate static let lowerT: UInt8 = 0x74
    fileprivate static let lowerU: UInt8 = 0x75

    fileprivate var isDigit: Bool { self &- 0x30 < 10 }
}
