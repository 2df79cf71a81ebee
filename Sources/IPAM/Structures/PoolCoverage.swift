import NetworkAddresses

/// Which pools contain an address, so that taking or freeing it updates every pool it belongs to. Overlapping
/// pools are exactly where upstream hands out duplicates; here an address taken through one pool disappears
/// from all of them.
///
/// Built once per configuration: the address space cut at every pool boundary, each piece listing its pools.
struct PoolCoverage: Sendable {
    private var starts: [[UInt128]] = [[], []]
    private var members: [[[Int]]] = [[], []]

    init(_ definitions: [PoolDefinition]) {
        for family in IPFamily.allCases {
            for segment in Self.segments(definitions, family) {
                starts[family.index].append(segment.start)
                members[family.index].append(segment.pools)
            }
        }
    }

    /// The family's space cut at every pool boundary, in order: each piece starts at `start`, runs to the
    /// next piece's start (or the end of the space), and lies in exactly `pools` (sorted ids).
    static func segments(_ definitions: [PoolDefinition], _ family: IPFamily) -> [(start: UInt128, pools: [Int])] {
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
        var segments: [(start: UInt128, pools: [Int])] = []
        var active: [Int] = []
        var index = events.startIndex
        while index < events.endIndex {
            let at = events[index].at
            while index < events.endIndex && events[index].at == at {
                let event = events[index]
                if event.enters {
                    active.append(event.pool)
                } else if let position = active.firstIndex(of: event.pool) {
                    active.remove(at: position)
                }
                index += 1
            }
            segments.append((at, active.sorted()))
        }
        return segments
    }

    /// The pools containing `address` (ids are indices into the definitions this was built from).
    func pools(containing address: IPAddress) -> [Int] {
        let starts = self.starts[address.family.index]
        var low = 0
        var high = starts.count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] <= address.value {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low == 0 ? [] : members[address.family.index][low - 1]
    }
}
