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
            var events: [(at: UInt128, pool: Int, enters: Bool)] = []
            for (id, definition) in definitions.enumerated() {
                for range in definition.members[family.index] {
                    events.append((range.lowerBound, id, true))
                    if range.upperBound < family.maxValue {
                        events.append((range.upperBound + 1, id, false))
                    }
                }
            }
            events.sort { $0.at < $1.at }
            var active: Set<Int> = []
            var index = 0
            while index < events.count {
                let start = events[index].at
                while index < events.count && events[index].at == start {
                    if events[index].enters {
                        active.insert(events[index].pool)
                    } else {
                        active.remove(events[index].pool)
                    }
                    index += 1
                }
                guard active.count > 1 else { continue }
                let end = index < events.count ? events[index].at - 1 : family.maxValue
                let members = active.sorted()
                for (i, a) in members.enumerated() {
                    for b in members[(i + 1)...] {
                        var ranges = shared.removeValue(forKey: Pair(first: a, second: b, family: family)) ?? []
                        if let last = ranges.last, last.upperBound &+ 1 == start {
                            ranges[ranges.count - 1] = last.lowerBound...end
                        } else {
                            ranges.append(start...end)
                        }
                        shared[Pair(first: a, second: b, family: family)] = ranges
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
