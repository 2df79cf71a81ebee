/// Small ASCII helpers, so that the codecs need no Foundation: every format here (SSDP, HTTP headers, URLs,
/// the values inside UPnP XML) is defined in ASCII terms.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == lineFeed || byte == carriageReturn
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x41...0x46: UInt32(byte - 0x41 + 10)
        case 0x61...0x66: UInt32(byte - 0x61 + 10)
        default: nil
        }
    }

    static func lowercased(_ byte: UInt8) -> UInt8 { isLetter(byte) ? byte | 0x20 : byte }
}

extension StringProtocol where SubSequence == Substring {
    /// The text without leading and trailing spaces, tabs and line ends: gateways pad URLs and numbers in
    /// their XML with newlines and indentation.
    var trimmingASCIIWhitespace: Substring {
        let scalars = self[...].unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isASCIIWhitespace($0) }),
            let last = scalars.lastIndex(where: { !Self.isASCIIWhitespace($0) })
        else { return "" }
        return Substring(scalars[first...last])
    }
}

extension StringProtocol {
    /// Case-insensitive in ASCII letters only: header names and URL schemes are ASCII by definition, and
    /// Unicode case folding would let look-alike text match.
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        let lhs = self.utf8
        let rhs = other.utf8
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).allSatisfy { ASCII.lowercased($0) == ASCII.lowercased($1) }
    }

    func hasPrefixIgnoringASCIICase(_ prefix: some StringProtocol) -> Bool {
        let bytes = Array(self.utf8.prefix(prefix.utf8.count))
        return bytes.count == prefix.utf8.count
            && zip(bytes, prefix.utf8).allSatisfy { ASCII.lowercased($0) == ASCII.lowercased($1) }
    }

    fileprivate static func isASCIIWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x80 && ASCII.isWhitespace(UInt8(scalar.value))
    }
}

extension String {
    /// Decodes an unsigned decimal with no sign, spaces or leading `+`, refusing overflow: `UInt16("+80")`
    /// succeeds in the standard library, which a port number in a gateway's answer should not.
    static func parseDecimal<T: FixedWidthInteger & UnsignedInteger>(_ text: some StringProtocol, as: T.Type) -> T? {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var value: T = 0
        for byte in bytes {
            guard ASCII.isDigit(byte) else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(T(byte - 0x30))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}
