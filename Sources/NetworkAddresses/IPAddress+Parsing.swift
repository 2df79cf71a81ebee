extension IPAddress: LosslessStringConvertible {
    /// Strict parse; see `parse(_:)` for the accepted forms and for the reason on failure.
    public init?(_ description: String) {
        guard case .success(let address) = IPAddress.parse(description[...]) else { return nil }
        self = address
    }

    /// Parses an IPv4 dotted quad or an IPv6 address in RFC 4291 text form.
    ///
    /// Follows Go's `net/netip` (which upstream kube-vip uses) so that configuration written for
    /// upstream means the same here: no leading zeros in IPv4 octets (they would be octal to some
    /// tools), no surrounding whitespace. Zones are rejected outright, because an address handed
    /// out to a Service cannot carry one. Takes a `Substring` so that callers can parse pieces of
    /// a comma-separated list in place; it does not trim.
    public static func parse(_ text: Substring) -> Result<IPAddress, AddressParseError> {
        // `withUTF8` only copies for non-native (bridged) strings; the copy is local to `text`.
        var text = text
        return text.withUTF8(AddressTextParser.parseAddress)
    }
}

/// Byte-level parsers shared by `IPAddress` and `CIDR`.
internal enum AddressTextParser {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    static var colon: UInt8 { UInt8(ascii: ":") }
    static var dot: UInt8 { UInt8(ascii: ".") }
    static var percent: UInt8 { UInt8(ascii: "%") }
    static var zero: UInt8 { UInt8(ascii: "0") }

    static func parseAddress(_ bytes: Bytes) -> Result<IPAddress, AddressParseError> {
        if bytes.isEmpty {
            return .failure(AddressParseError(.empty))
        }
        // An IPv6 address is recognisable by a ':' right after its first run of hex digits (which
        // may be empty, as in "::1"). Anything else is treated as IPv4 so that its errors read
        // in IPv4 terms.
        var i = 0
        while i < bytes.count, hexValue(bytes[i]) != nil {
            i += 1
        }
        if i < bytes.count && bytes[i] == colon {
            return parseIPv6(bytes).map(IPAddress.init(ipv6:))
        }
        return parseIPv4(bytes, from: 0, embedded: false).map(IPAddress.init(ipv4:))
    }

    /// Parses `bytes[start...]` as a dotted quad. `embedded` is true for the IPv4 tail of an
    /// IPv6 address, where a ':' deserves a more specific reason than "invalid character".
    static func parseIPv4(_ bytes: Bytes, from start: Int, embedded: Bool) -> Result<UInt32, AddressParseError> {
        let end = bytes.count
        var result: UInt32 = 0
        var octets = 0
        var i = start
        while true {
            let octetStart = i
            var octet: UInt32 = 0
            while i < end, let digit = decimalValue(bytes[i]) {
                // Stop accumulating once out of range so long digit runs cannot overflow.
                if octet <= 255 {
                    octet = octet * 10 + UInt32(digit)
                }
                i += 1
            }
            let length = i - octetStart
            if length == 0 {
                if i == end || bytes[i] == dot {
                    return .failure(AddressParseError(.emptyOctet))
                }
                return .failure(unexpected(bytes, at: i, embedded: embedded))
            }
            if length > 1 && bytes[octetStart] == zero {
                return .failure(AddressParseError(.octetLeadingZero(text(bytes, octetStart, i))))
            }
            if octet > 255 {
                return .failure(AddressParseError(.octetOutOfRange(text(bytes, octetStart, i))))
            }
            result = result << 8 | octet
            octets += 1
            if i == end {
                break
            }
            guard bytes[i] == dot else {
                return .failure(unexpected(bytes, at: i, embedded: embedded))
            }
            if octets == 4 {
                return .failure(AddressParseError(.wrongOctetCount))
            }
            i += 1
        }
        guard octets == 4 else {
            return .failure(AddressParseError(.wrongOctetCount))
        }
        return .success(result)
    }

    /// Parses the RFC 4291 section 2.2 text forms in one pass. Groups before a "::" accumulate in
    /// `head`, groups after it in `tail`; the "::" then becomes the zero bits between the two.
    static func parseIPv6(_ bytes: Bytes) -> Result<UInt128, AddressParseError> {
        let end = bytes.count
        var head: UInt128 = 0
        var headCount = 0
        var tail: UInt128 = 0
        var tailCount = 0
        var sawDoubleColon = false
        var i = 0

        if i < end && bytes[i] == colon {
            guard i + 1 < end && bytes[i + 1] == colon else {
                return .failure(AddressParseError(.leadingSingleColon))
            }
            sawDoubleColon = true
            i += 2
            if i == end {
                return .success(0)
            }
            if bytes[i] == colon {
                return .failure(AddressParseError(.tripleColon))
            }
        }

        while true {
            let groupStart = i
            var group: UInt32 = 0
            while i < end, let digit = hexValue(bytes[i]) {
                group = group &<< 4 | UInt32(digit)
                i += 1
            }

            if i < end && bytes[i] == dot {
                // The digits so far were the first octet of an IPv4 tail worth two groups.
                guard headCount + tailCount + 2 <= 8 else {
                    return .failure(AddressParseError(.tooManyGroups))
                }
                let ipv4: UInt32
                switch parseIPv4(bytes, from: groupStart, embedded: true) {
                case .success(let value): ipv4 = value
                case .failure(let error): return .failure(error)
                }
                if sawDoubleColon {
                    tail = tail << 32 | UInt128(ipv4)
                    tailCount += 2
                } else {
                    head = head << 32 | UInt128(ipv4)
                    headCount += 2
                }
                break
            }

            let digits = i - groupStart
            if digits == 0 {
                // Every group is entered after a separator, so nothing here means a dangling ':'.
                if i == end {
                    return .failure(AddressParseError(.trailingSingleColon))
                }
                return .failure(unexpected(bytes, at: i, embedded: false))
            }
            if digits > 4 {
                return .failure(AddressParseError(.groupTooLong(text(bytes, groupStart, i))))
            }
            if sawDoubleColon {
                tail = tail << 16 | UInt128(group)
                tailCount += 1
            } else {
                head = head << 16 | UInt128(group)
                headCount += 1
            }
            if headCount + tailCount > 8 {
                return .failure(AddressParseError(.tooManyGroups))
            }

            if i == end {
                break
            }
            guard bytes[i] == colon else {
                return .failure(unexpected(bytes, at: i, embedded: false))
            }
            i += 1
            if i < end && bytes[i] == colon {
                if sawDoubleColon {
                    return .failure(AddressParseError(.multipleDoubleColons))
                }
                sawDoubleColon = true
                i += 1
                if i == end {
                    break
                }
                if bytes[i] == colon {
                    return .failure(AddressParseError(.tripleColon))
                }
            }
        }

        let groupCount = headCount + tailCount
        if sawDoubleColon {
            guard groupCount < 8 else {
                return .failure(AddressParseError(.doubleColonWithoutZeros))
            }
            // headCount < 8 here, so the shift is at most 128 bits; `<<` yields 0 at 128.
            return .success(head << (16 * (8 - headCount)) | tail)
        }
        guard groupCount == 8 else {
            return .failure(AddressParseError(.tooFewGroups))
        }
        return .success(head)
    }

    // MARK: Byte helpers

    @inline(__always)
    static func decimalValue(_ byte: UInt8) -> UInt8? {
        let digit = byte &- UInt8(ascii: "0")
        return digit < 10 ? digit : nil
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        if let digit = decimalValue(byte) {
            return digit
        }
        // Setting bit 5 folds 'A'...'F' onto 'a'...'f'.
        let letter = (byte | 0x20) &- UInt8(ascii: "a")
        return letter < 6 ? letter + 10 : nil
    }

    /// The reason for an unexpected byte: zones get their own message because "fe80::1%eth0" is
    /// a common thing to paste from `ip addr`.
    static func unexpected(_ bytes: Bytes, at index: Int, embedded: Bool) -> AddressParseError {
        let byte = bytes[index]
        if byte == percent {
            return AddressParseError(.zoneNotAllowed(text(bytes, index, bytes.count)))
        }
        if embedded && byte == colon {
            return AddressParseError(.embeddedIPv4NotLast)
        }
        return AddressParseError(.invalidCharacter(scalar(bytes, at: index)))
    }

    /// The whole Unicode scalar starting at `index`, so that a stray "é" is reported as such
    /// rather than as half of its UTF-8 encoding.
    static func scalar(_ bytes: Bytes, at index: Int) -> Unicode.Scalar {
        let lead = bytes[index]
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        let decoded = text(bytes, index, min(index + length, bytes.count))
        return decoded.unicodeScalars.first ?? "\u{FFFD}"
    }

    static func text(_ bytes: Bytes, _ start: Int, _ end: Int) -> String {
        String(decoding: Bytes(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
