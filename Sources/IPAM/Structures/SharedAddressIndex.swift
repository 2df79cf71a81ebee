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

    /// Ports used by every address of the subtree, or a subset of them.
    ///
    /// Runs on every node of the path after each change, so its cost is bounded: when both sides of an
    /// intersection hold more than `exactLimit` ports it gives up and answers "none". A subset is always safe
    /// (it only prunes less); the common case it serves, a popular port on every address, involves small
    /// sets and stays exact, while addresses packed with hundreds of ports are few and quick to scan.
    static func summarize(_ payload: SharedPorts, left: [ServicePort]?, right: [ServicePort]?) -> [ServicePort] {
        switch (left, right) {
        case (nil, nil): payload.ports
        case (let only?, nil), (nil, let only?): intersection(only, payload.ports)
        case (let left?, let right?): intersection(intersection(left, right), payload.ports)
        }
    }

    static let exactLimit = 16

    private static func intersection(_ a: [ServicePort], _ b: [ServicePort]) -> [ServicePort] {
        min(a.count, b.count) <= exactLimit ? SortedPorts.intersection(a, b) : []
    }
}

/// Sorted, duplicate-free arrays of (protocol, port) pairs.
enum SortedPorts {
    static func contains(_ sorted: [ServicePort], _ value: ServicePort) -> Bool {
        let index = insertionIndex(sorted, value)
        return index < sorted.count && sorted[index] == value
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

    /// The sorted union of two disjoint sorted arrays. A Service adds a few ports to an address that may
    /// already carry hundreds, so the few are inserted into a copy of the many (two block moves) rather than
    /// merged element by element.
    static func union(_ a: [ServicePort], _ b: [ServicePort]) -> [ServicePort] {
        var result = a.count >= b.count ? a : b
        for value in a.count >= b.count ? b : a {
            result.insert(value, at: insertionIndex(result, value))
        }
        return result
    }

    /// Where `value` is or would go.
    static func insertionIndex(_ sorted: [ServicePort], _ value: ServicePort) -> Int {
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
        return low
    }
}
