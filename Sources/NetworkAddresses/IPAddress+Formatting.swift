extension IPAddress: CustomStringConvertible {
    /// IPv4 as a dotted quad; IPv6 in the RFC 5952 canonical form, so that equal addresses always
    /// print identically (diagnostics, Service status, map keys built from text).
    public var description: String {
        switch family {
        case .ipv4: AddressTextFormatter.ipv4(UInt32(truncatingIfNeeded: value))
        case .ipv6: AddressTextFormatter.ipv6(value)
        }
    }
}

/// Writes address text straight into the new string's storage, without intermediate strings.
internal enum AddressTextFormatter {
    typealias Buffer = UnsafeMutableBufferPointer<UInt8>

    static func ipv4(_ value: UInt32) -> String {
        String(unsafeUninitializedCapacity: 15) { buffer in
            writeIPv4(value, into: buffer, at: 0)
        }
    }

    static func ipv6(_ value: UInt128) -> String {
        // RFC 5952 section 5: IPv4-mapped addresses keep their IPv4 part in dotted form.
        if value >> 32 == 0xFFFF {
            return String(unsafeUninitializedCapacity: 22) { buffer in
                var end = 0
                for byte in "::ffff:".utf8 {
                    buffer[end] = byte
                    end += 1
                }
                return writeIPv4(UInt32(truncatingIfNeeded: value), into: buffer, at: end)
            }
        }

        // RFC 5952 section 4.2: compress the longest run of two or more zero groups, the first
        // one on ties; a lone zero group stays as "0".
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for index in 0..<8 {
            if group(value, index) == 0 {
                if runStart < 0 {
                    runStart = index
                }
                let runLength = index - runStart + 1
                if runLength > bestLength {
                    bestStart = runStart
                    bestLength = runLength
                }
            } else {
                runStart = -1
            }
        }
        let afterRun = bestStart < 0 ? -1 : bestStart + bestLength

        return String(unsafeUninitializedCapacity: 39) { buffer in
            var end = 0
            var index = 0
            while index < 8 {
                if index == bestStart {
                    buffer[end] = UInt8(ascii: ":")
                    buffer[end + 1] = UInt8(ascii: ":")
                    end += 2
                    index = afterRun
                    continue
                }
                // Right after "::" the separator is already written.
                if index > 0 && index != afterRun {
                    buffer[end] = UInt8(ascii: ":")
                    end += 1
                }
                end = writeHex(group(value, index), into: buffer, at: end)
                index += 1
            }
            return end
        }
    }

    @inline(__always)
    static func group(_ value: UInt128, _ index: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: value &>> (112 - 16 * index))
    }

    static func writeIPv4(_ value: UInt32, into buffer: Buffer, at start: Int) -> Int {
        var end = start
        var shift = 24
        while shift >= 0 {
            if shift != 24 {
                buffer[end] = UInt8(ascii: ".")
                end += 1
            }
            end = writeDecimal(UInt8(truncatingIfNeeded: value &>> shift), into: buffer, at: end)
            shift -= 8
        }
        return end
    }

    static func writeDecimal(_ number: UInt8, into buffer: Buffer, at start: Int) -> Int {
        var end = start
        if number >= 100 {
            buffer[end] = UInt8(ascii: "0") + number / 100
            end += 1
        }
        if number >= 10 {
            buffer[end] = UInt8(ascii: "0") + number / 10 % 10
            end += 1
        }
        buffer[end] = UInt8(ascii: "0") + number % 10
        return end + 1
    }

    /// Lowercase, without leading zeros (RFC 5952 sections 4.1 and 4.3).
    static func writeHex(_ number: UInt16, into buffer: Buffer, at start: Int) -> Int {
        var end = start
        var shift = 12
        while shift > 0 && (number &>> shift) & 0xF == 0 {
            shift -= 4
        }
        while shift >= 0 {
            let digit = UInt8(truncatingIfNeeded: (number &>> shift) & 0xF)
            buffer[end] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            end += 1
            shift -= 4
        }
        return end
    }
}
