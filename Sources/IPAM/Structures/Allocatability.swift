import NetworkAddresses

/// Addresses never handed out from a pool, whatever its shape:
/// - IPv4 addresses ending in .0 or .255 (kept from upstream kube-vip): some routers and clients treat them as
///   network or broadcast addresses even inside larger prefixes;
/// - IPv6 addresses whose interface identifier is zero (the Subnet-Router anycast address of their /64,
///   RFC 4291 section 2.6.1), which routers on the link answer for. Upstream hands it out first.
///
/// Free space is stored as intervals whose two ends are allocatable; these helpers step over the skipped
/// addresses so that a whole /8 never has to be enumerated.
enum Allocatability {
    private static let interfaceIdentifier: UInt128 = (1 << 64) - 1

    static func isSkipped(_ value: UInt128, _ family: IPFamily) -> Bool {
        guard family == .ipv4 else { return value & interfaceIdentifier == 0 }
        let low = value & 0xFF
        return low == 0 || low == 0xFF
    }

    /// The smallest allocatable value at or above `value` (may lie beyond the family's space).
    static func next(atOrAbove value: UInt128, _ family: IPFamily) -> UInt128 {
        guard family == .ipv4 else { return value & interfaceIdentifier == 0 ? value + 1 : value }
        switch value & 0xFF {
        case 0xFF: return value + 2
        case 0: return value + 1
        default: return value
        }
    }

    /// The largest allocatable value at or below `value`, or nil when there is none.
    static func previous(atOrBelow value: UInt128, _ family: IPFamily) -> UInt128? {
        guard family == .ipv4 else {
            guard value & interfaceIdentifier == 0 else { return value }
            return value == 0 ? nil : value - 1
        }
        switch value & 0xFF {
        case 0xFF: return value - 1
        case 0: return value >= 2 ? value - 2 : nil
        default: return value
        }
    }

    /// Number of allocatable values in `range`.
    static func count(in range: ClosedRange<UInt128>, _ family: IPFamily) -> UInt128 {
        let total = range.upperBound &- range.lowerBound &+ 1  // wraps to 0 only for the whole IPv6 space
        guard family == .ipv4 else {
            let firstBlock = (range.lowerBound >> 64) + (range.lowerBound & interfaceIdentifier == 0 ? 0 : 1)
            let lastBlock = range.upperBound >> 64
            let skipped = lastBlock >= firstBlock ? lastBlock - firstBlock + 1 : 0
            return total == 0 ? UInt128.max - skipped + 1 : total - skipped
        }
        return total - (skippedUpTo(range.upperBound) - (range.lowerBound == 0 ? 0 : skippedUpTo(range.lowerBound - 1)))
    }

    /// Number of IPv4 values in 0...value ending in .0 or .255.
    private static func skippedUpTo(_ value: UInt128) -> UInt128 {
        (value / 256 + 1) + (value + 1) / 256
    }
}

/// Sorted, merged, disjoint closed intervals.
enum IntervalList {
    static func merged(_ intervals: [ClosedRange<UInt128>]) -> [ClosedRange<UInt128>] {
        let sorted = intervals.sorted { $0.lowerBound < $1.lowerBound }
        var result: [ClosedRange<UInt128>] = []
        result.reserveCapacity(sorted.count)
        for interval in sorted {
            if let last = result.last, last.upperBound == UInt128.max || interval.lowerBound <= last.upperBound + 1 {
                if interval.upperBound > last.upperBound {
                    result[result.count - 1] = last.lowerBound...interval.upperBound
                }
            } else {
                result.append(interval)
            }
        }
        return result
    }

    /// Index of the interval containing `value`, by binary search.
    static func index(of value: UInt128, in intervals: [ClosedRange<UInt128>]) -> Int? {
        var low = 0
        var high = intervals.count
        while low < high {
            let mid = (low + high) / 2
            if intervals[mid].upperBound < value {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low < intervals.count && intervals[low].lowerBound <= value ? low : nil
    }

    /// The allocatable sub-intervals of `intervals` in canonical form: both ends allocatable, and two intervals
    /// merged when only skipped addresses lie between them.
    static func allocatable(_ intervals: [ClosedRange<UInt128>], _ family: IPFamily) -> [ClosedRange<UInt128>] {
        var result: [ClosedRange<UInt128>] = []
        result.reserveCapacity(intervals.count)
        for interval in intervals {
            let start = Allocatability.next(atOrAbove: interval.lowerBound, family)
            guard let end = Allocatability.previous(atOrBelow: interval.upperBound, family), start <= end else {
                continue
            }
            if let last = result.last, Allocatability.next(atOrAbove: last.upperBound + 1, family) >= start {
                result[result.count - 1] = last.lowerBound...max(end, last.upperBound)
            } else {
                result.append(start...end)
            }
        }
        return result
    }
}
