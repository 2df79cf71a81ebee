import NetworkAddresses

/// The free addresses of one pool in one family, as intervals keyed by their first address.
///
/// Both ends of every interval are allocatable, and two intervals are merged when only skipped (.0/.255)
/// addresses lie between them. That keeps "lowest free address" a single tree lookup however many full /24s
/// lie below it, and keeps the size proportional to the holes punched by allocations, never to the pool size.
struct FreeSpace: Sendable {
    let family: IPFamily
    private var tree: OrderedTree<UInt128>

    /// `intervals` must be canonical: sorted, disjoint, ends allocatable (see ``IntervalList/allocatable(_:_:)``).
    init(family: IPFamily, canonical intervals: [ClosedRange<UInt128>]) {
        self.family = family
        tree = OrderedTree(sorted: intervals.map { ($0.lowerBound, $0.upperBound) })
    }

    /// Member intervals minus `taken` (sorted values), as canonical free space.
    init(family: IPFamily, members: [ClosedRange<UInt128>], minus taken: [UInt128]) {
        var free: [ClosedRange<UInt128>] = []
        var t = taken.startIndex
        for interval in IntervalList.allocatable(members, family) {
            var start: UInt128? = interval.lowerBound
            while t < taken.endIndex && taken[t] < interval.lowerBound { t += 1 }
            while t < taken.endIndex && taken[t] <= interval.upperBound {
                let held = taken[t]
                t += 1
                guard let from = start, held >= from, !Allocatability.isSkipped(held, family) else { continue }
                if held > from, let end = Allocatability.previous(atOrBelow: held - 1, family), end >= from {
                    free.append(from...end)
                }
                start = held == interval.upperBound ? nil : Allocatability.next(atOrAbove: held + 1, family)
            }
            if let from = start, from <= interval.upperBound {
                free.append(from...interval.upperBound)
            }
        }
        self.init(family: family, canonical: free)
    }

    var isEmpty: Bool { tree.isEmpty }

    /// Number of free intervals (a measure of fragmentation, not of free addresses).
    var intervalCount: Int { tree.count }

    var lowest: UInt128? { tree.first().map { tree.key($0) } }

    var highest: UInt128? { tree.last().map { tree.payload($0) } }

    /// Whether the allocatable `value` is free.
    func contains(_ value: UInt128) -> Bool {
        guard let index = tree.floor(value) else { return false }
        return tree.payload(index) >= value
    }

    /// Marks the allocatable `value` as taken; returns false when it was not free.
    @discardableResult
    mutating func remove(_ value: UInt128) -> Bool {
        guard let index = tree.floor(value) else { return false }
        let start = tree.key(index)
        let end = tree.payload(index)
        guard end >= value else { return false }
        if start == value && end == value {
            tree.remove(start)
        } else if start == value {
            tree.setKey(index, to: Allocatability.next(atOrAbove: value + 1, family))
        } else if end == value {
            tree.setPayloadKeepingSummary(index, previousAllocatable(value))
        } else {
            tree.setPayloadKeepingSummary(index, previousAllocatable(value))
            tree.insert(Allocatability.next(atOrAbove: value + 1, family), end)
        }
        return true
    }

    /// Marks the allocatable member `value` as free again, merging with its neighbours.
    mutating func insert(_ value: UInt128) {
        let below = tree.floor(value)
        if let below, tree.payload(below) >= value { return }  // already free
        let above = tree.successor(value)
        let joinsBelow = below.map { Allocatability.next(atOrAbove: tree.payload($0) + 1, family) == value } ?? false
        let joinsAbove =
            above.map { value < family.maxValue && Allocatability.next(atOrAbove: value + 1, family) == tree.key($0) }
            ?? false
        switch (below, above) {
        case (let below?, let above?) where joinsBelow && joinsAbove:
            let end = tree.payload(above)
            tree.setPayloadKeepingSummary(below, end)
            tree.remove(tree.key(above))
        case (let below?, _) where joinsBelow:
            tree.setPayloadKeepingSummary(below, value)
        case (_, let above?) where joinsAbove:
            tree.setKey(above, to: value)
        default:
            tree.insert(value, value)
        }
    }

    /// Free intervals in order; for tests and reports.
    var intervals: [ClosedRange<UInt128>] { tree.entries().map { $0.key...$0.payload } }

    /// The allocatable value just below the allocatable `value`, which exists whenever an interval continues
    /// below it.
    private func previousAllocatable(_ value: UInt128) -> UInt128 {
        Allocatability.previous(atOrBelow: value - 1, family) ?? 0
    }
}
