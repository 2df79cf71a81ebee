import NetworkAddresses

// What `kube-vip check` and `kube-vip status` print alike, so that a pool reads the same in both.

/// Columns padded to their widest cell, separated by two spaces; trailing spaces trimmed.
public enum TextTable {
    public static func render(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            let cells = row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }
            let line = cells.joined(separator: "  ")
            return String(line.reversed().drop { $0 == " " }.reversed())
        }
    }
}

/// Address ranges and counts as people write them.
public enum AddressText {
    /// A single address once; a range that is exactly one CIDR block of four or more addresses as that CIDR
    /// (an IPv6 /64 is unreadable as two addresses); anything else as `first-last`.
    public static func range(_ range: ClosedRange<IPAddress>) -> String {
        let low = range.lowerBound
        let high = range.upperBound
        if low == high { return "\(low)" }
        let span = high.value - low.value
        let isBlock = span & (span &+ 1) == 0 && low.value & span == 0
        if isBlock && span >= 3 {
            return "\(low)/\(low.family.bitWidth - span.nonzeroBitCount)"
        }
        return "\(low)-\(high)"
    }

    /// Decimal, because that is what capacity means; large counts also as powers of two, which is how IPv6
    /// prefix sizes are thought of (a /64 holds 2^64 - 1 usable addresses once its Subnet-Router anycast
    /// address is left out).
    public static func capacity(_ count: UInt128) -> String {
        guard count >= 1 << 32 else { return "\(count)" }
        let low = count.trailingZeroBitCount
        let ones = count >> low
        guard ones & (ones &+ 1) == 0 else { return "\(count)" }  // not 2^a - 2^b
        let high = low + ones.nonzeroBitCount
        if ones == 1 { return "\(count) (2^\(low))" }
        return low == 0 ? "\(count) (2^\(high) - 1)" : "\(count) (2^\(high) - 2^\(low))"
    }
}

/// How much a line of a report matters, most first, so that reports list errors before warnings before notes.
public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
    /// Something is refused, left out or broken.
    case error
    /// Accepted, but probably not what was meant, or not working yet.
    case warning
    /// Worth knowing, nothing wrong.
    case note

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}
