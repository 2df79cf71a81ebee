import NetworkAddresses

/// Addresses that two pools both contain. Overlaps are allowed and safe (an address taken through one pool
/// is gone from the other), but they mean the two scopes compete first come, first served, which a user
/// reviewing a ConfigMap wants to know.
public struct PoolOverlap: Sendable, Equatable {
    public let first: PoolScope
    public let second: PoolScope
    public let family: IPFamily
    public let ranges: [ClosedRange<IPAddress>]
}

extension PoolConfiguration {
    /// Every pair of pools sharing addresses, by scope order then family.
    public func overlaps() -> [PoolOverlap] {
        let definitions = pools.values.sorted { $0.scope < $1.scope }
        var shared: [Pair: [ClosedRange<UInt128>]] = [:]
        for family in IPFamily.allCases {
            let segments = PoolCoverage.segments(definitions, family)
            for (index, segment) in segments.enumerated() where segment.pools.count > 1 {
                let end = index + 1 < segments.count ? segments[index + 1].start - 1 : family.maxValue
                for (i, a) in segment.pools.enumerated() {
                    for b in segment.pools[(i + 1)...] {
                        let pair = Pair(first: a, second: b, family: family)
                        var ranges = shared.removeValue(forKey: pair) ?? []
                        if let last = ranges.last, last.upperBound &+ 1 == segment.start {
                            ranges[ranges.count - 1] = last.lowerBound...end
                        } else {
                            ranges.append(segment.start...end)
                        }
                        shared[pair] = ranges
                    }
                }
            }
        }
        return shared.keys.sorted().map { pair in
            PoolOverlap(
                first: definitions[pair.first].scope, second: definitions[pair.second].scope, family: pair.family,
                ranges: (shared[pair] ?? []).compactMap { range in
                    guard let low = IPAddress(family: pair.family, value: range.lowerBound),
                        let high = IPAddress(family: pair.family, value: range.upperBound)
                    else { return nil }
                    return low...high
                })
        }
    }
}

private struct Pair: Hashable, Comparable {
    let first: Int
    let second: Int
    let family: IPFamily

    static func < (lhs: Pair, rhs: Pair) -> Bool {
        (lhs.first, lhs.second, lhs.family.index) < (rhs.first, rhs.second, rhs.family.index)
    }
}
