/// Writes a ``JSONValue`` as compact UTF-8 JSON with object keys sorted, so that equal values give equal
/// bytes (resource-version comparisons, journal lines and tests depend on that).
///
/// Hand-written for speed, like ``JSONReader``. Output follows Go's `encoding/json` where it matters to
/// clients: `/` and non-ASCII are written raw, and a double is written in its shortest round-trip form in
/// plain notation between 1e-6 and 1e21 (`3` for 3.0, `0.000001`), exponent form outside (`1e+21`, `1e-7`).
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let value): append(value ? "true" : "false")
        case .int(let value): writeInteger(value)
        case .double(let value): writeDouble(value)
        case .string(let value): writeString(value)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            if members.count == 1, let (key, value) = members.first {
                writeMember(key, value)
            } else if !members.isEmpty {
                // `<` on strings compares UTF-8 bytes for the NFC text found in practice, like Go's sort.
                var first = true
                for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    writeMember(key, value)
                }
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func writeMember(_ key: String, _ value: JSONValue) {
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        write(value)
    }

    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    // MARK: - Numbers

    private mutating func writeInteger(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude != 0
        bytes[start...].reverse()
    }

    /// Swift's `description` already gives the shortest digits that round-trip; only the notation is
    /// rearranged to Go's, so a client written in Go sees the text it would have produced itself.
    private mutating func writeDouble(_ value: Double) {
        guard value.isFinite else {
            append("null")  // JSON has no NaN or infinity; parsing never produces them
            return
        }
        if value == 0 {
            append(value.sign == .minus ? "-0" : "0")
            return
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        let (digits, pointPosition) = Self.shortestDigits(magnitude)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            bytes.append(digits[0])
            if digits.count > 1 {
                bytes.append(UInt8(ascii: "."))
                bytes.append(contentsOf: digits[1...])
            }
            let exponent = pointPosition - 1
            bytes.append(UInt8(ascii: "e"))
            bytes.append(UInt8(ascii: exponent < 0 ? "-" : "+"))
            writeInteger(Int64(exponent.magnitude))
        } else if pointPosition <= 0 {
            append("0.")
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -pointPosition))
            bytes.append(contentsOf: digits)
        } else if pointPosition >= digits.count {
            bytes.append(contentsOf: digits)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: pointPosition - digits.count))
        } else {
            bytes.append(contentsOf: digits[..<pointPosition])
            bytes.append(UInt8(ascii: "."))
            bytes.append(contentsOf: digits[pointPosition...])
        }
    }

    /// The significant decimal digits of a positive finite value (no leading or trailing zeros) and where the
    /// decimal point goes: value = 0.d₁d₂…dₙ × 10^pointPosition.
    static func shortestDigits(_ magnitude: Double) -> (digits: [UInt8], pointPosition: Int) {
        let text = magnitude.description.utf8  // e.g. "1.5", "100.0", "1e-07", "1.2345e+16"
        var digits: [UInt8] = []
        var pointPosition = 0
        var seenPoint = false
        var exponent = 0
        var index = text.startIndex
        while index != text.endIndex {
            let byte = text[index]
            text.formIndex(after: &index)
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                var negative = false
                while index != text.endIndex {
                    let byte = text[index]
                    text.formIndex(after: &index)
                    if byte == UInt8(ascii: "-") {
                        negative = true
                    } else if byte != UInt8(ascii: "+") {
                        exponent = exponent * 10 + Int(byte &- UInt8(ascii: "0"))
                    }
                }
                if negative { exponent = -exponent }
            } else if digits.isEmpty && byte == UInt8(ascii: "0") {
                if seenPoint { pointPosition -= 1 }  // a leading zero after the point shifts it left
            } else {
                digits.append(byte)
                if !seenPoint { pointPosition += 1 }
            }
        }
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, pointPosition + exponent)
    }

    // MARK: - Strings

    private mutating func writeString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in writeEscaped(utf8) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Copies runs that need no escaping in one go; only `"`, `\` and control characters are escaped.
    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for index in utf8.indices {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            runStart = index + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                append("u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
