/// The addresses of one pool that Services may join (every holder allows sharing), with the ports already
/// used on each, so that "lowest address whose ports are disjoint from mine" avoids walking every address.
///
/// Each subtree remembers the ports used by *every* address in it. A subtree where one of the requested ports
/// is used everywhere is skipped whole, which keeps the search logarithmic in the common shapes: everyone on
/// TCP/443, or a few popular ports packed together. A request whose ports each block a different part of the
/// pool can still visit more addresses; that costs time, never correctness.
struct SharedAddressIndex: Sendable {
    private var tree = OrderedTree<SharedPorts>()

    var count: Int { tree.count }

    mutating func replaceAll(_ tree: OrderedTree<SharedPorts>) {
        self.tree = tree
    }

    /// Records the ports now used on `address` (sorted), or removes it from the index when nil.
    mutating func set(_ address: UInt128, ports: [ServicePort]?) {
        if let ports {
            tree.insert(address, SharedPorts(ports: ports))
        } else {
            tree.remove(address)
        }
    }

    /// The lowest (highest, when `descending`) address none of whose ports are in `requested` (sorted).
    func firstCompatible(with requested: [ServicePort], descending: Bool) -> UInt128? {
        tree.firstMatch(
            descending: descending,
            excluded: { everywhere in SortedPorts.intersects(everywhere, requested) },
            matches: { _, used in !SortedPorts.intersects(used.ports, requested) }
        ).map { tree.key($0) }
    }

    /// Every entry in address order; for tests.
    var entries: [(address: UInt128, ports: [ServicePort])] { tree.entries().map { ($0.key, $0.payload.ports) } }
}

struct SharedPorts: TreePayload, Sendable {
    var ports: [ServicePort]

    /// Ports used by every address of the subtree. Runs on every node of the path after each change, so it
    /// returns early on the usual empty result and never allocates for it.
    static func summarize(_ payload: SharedPorts, left: [ServicePort]?, right: [ServicePort]?) -> [ServicePort] {
        switch (left, right) {
        case (nil, nil): payload.ports
        case (let only?, nil), (nil, let only?): SortedPorts.intersection(only, payload.ports)
        case (let left?, let right?):
            left.isEmpty || right.isEmpty
                ? [] : SortedPorts.intersection(SortedPorts.intersection(left, right), payload.ports)
        }
    }
}

/// Sorted, duplicate-free arrays of (protocol, port) pairs.
enum SortedPorts {
    static func contains(_ sorted: [ServicePort], _ value: ServicePort) -> Bool {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low < sorted.count && sorted[low] == value
    }

    static func intersects(_ a: [ServicePort], _ b: [ServicePort]) -> Bool {
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        guard let first = large.first, let last = large.last else { return false }
        return small.contains { $0 >= first && $0 <= last && contains(large, $0) }
    }

    static func intersection(_ a: [ServicePort], _ b: [ServicePort]) -> [ServicePort] {
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        guard let first = large.first, let last = large.last, !small.isEmpty else { return [] }
        var result: [ServicePort] = []
        for value in small where value >= first && value <= last && contains(large, value) {
            result.append(value)
        }
        return result
    }

    /// The sorted union of two disjoint sorted arrays.
    static func union(_ a: [ServicePort], _ b: [ServicePort]) -> [ServicePort] {
        var result: [ServicePort] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] {
                result.append(a[i])
                i += 1
            } else {
                result.append(b[j])
                j += 1
            }
        }
        result.append(contentsOf: a[i...])
        result.append(contentsOf: b[j...])
        return result
    }
}
