/// What a tree node carries besides its key, and what it tells about its whole subtree.
///
/// Summaries let a search skip a subtree without visiting it (the shared-address index keeps "ports every
/// address below uses" there). They are recomputed bottom-up after every change and must not depend on keys.
protocol TreePayload {
    associatedtype Summary
    static func summarize(_ payload: Self, left: Summary?, right: Summary?) -> Summary
}

/// An AVL tree keyed by `UInt128` (an address inside its family's space), stored in one dense array so that
/// walking it touches no reference counts and a removal frees its node at once.
///
/// Every operation is O(log n) in the number of keys.
struct OrderedTree<Payload: TreePayload> {
    typealias Index = Int32

    struct Node {
        var key: UInt128
        var payload: Payload
        var summary: Payload.Summary
        var left: Index = -1
        var right: Index = -1
        var height: Int8 = 1
    }

    private(set) var nodes: [Node] = []
    private(set) var root: Index = -1

    init() {}

    /// Builds a balanced tree from entries sorted by strictly increasing key, in O(n).
    init(sorted entries: [(key: UInt128, payload: Payload)]) {
        nodes.reserveCapacity(entries.count)
        root = build(entries, entries.startIndex, entries.endIndex)
    }

    var count: Int { nodes.count }
    var isEmpty: Bool { nodes.isEmpty }

    func key(_ index: Index) -> UInt128 { nodes[Int(index)].key }
    func payload(_ index: Index) -> Payload { nodes[Int(index)].payload }

    // MARK: Lookup

    func first() -> Index? {
        var n = root
        guard n >= 0 else { return nil }
        while nodes[Int(n)].left >= 0 { n = nodes[Int(n)].left }
        return n
    }

    func last() -> Index? {
        var n = root
        guard n >= 0 else { return nil }
        while nodes[Int(n)].right >= 0 { n = nodes[Int(n)].right }
        return n
    }

    func find(_ key: UInt128) -> Index? {
        var n = root
        while n >= 0 {
            let node = nodes[Int(n)]
            if key < node.key {
                n = node.left
            } else if key > node.key {
                n = node.right
            } else {
                return n
            }
        }
        return nil
    }

    /// The entry with the greatest key not above `key`.
    func floor(_ key: UInt128) -> Index? {
        var n = root
        var best: Index? = nil
        while n >= 0 {
            let node = nodes[Int(n)]
            if node.key <= key {
                best = n
                n = node.right
            } else {
                n = node.left
            }
        }
        return best
    }

    /// The entry with the smallest key above `key`.
    func successor(_ key: UInt128) -> Index? {
        var n = root
        var best: Index? = nil
        while n >= 0 {
            let node = nodes[Int(n)]
            if node.key > key {
                best = n
                n = node.left
            } else {
                n = node.right
            }
        }
        return best
    }

    /// The first entry in key order (last, when `descending`) that `matches`, skipping every subtree whose
    /// summary `excludes` it.
    func firstMatch(
        descending: Bool,
        excluded: (Payload.Summary) -> Bool,
        matches: (UInt128, Payload) -> Bool
    ) -> Index? {
        search(root, descending, excluded, matches)
    }

    private func search(
        _ n: Index,
        _ descending: Bool,
        _ excluded: (Payload.Summary) -> Bool,
        _ matches: (UInt128, Payload) -> Bool
    ) -> Index? {
        guard n >= 0 else { return nil }
        let node = nodes[Int(n)]
        if excluded(node.summary) { return nil }
        if let found = search(descending ? node.right : node.left, descending, excluded, matches) { return found }
        if matches(node.key, node.payload) { return n }
        return search(descending ? node.left : node.right, descending, excluded, matches)
    }

    /// Every entry in key order; for tests and rebuilding, not for hot paths.
    func entries() -> [(key: UInt128, payload: Payload)] {
        var result: [(key: UInt128, payload: Payload)] = []
        result.reserveCapacity(nodes.count)
        var stack: [Index] = []
        var n = root
        while n >= 0 || !stack.isEmpty {
            while n >= 0 {
                stack.append(n)
                n = nodes[Int(n)].left
            }
            let top = stack.removeLast()
            result.append((nodes[Int(top)].key, nodes[Int(top)].payload))
            n = nodes[Int(top)].right
        }
        return result
    }

    // MARK: Changes

    /// Inserts an entry, or replaces the payload of an existing key.
    mutating func insert(_ key: UInt128, _ payload: Payload) {
        root = insert(key, payload, into: root)
    }

    /// Removes the entry with `key`, returning its payload.
    @discardableResult
    mutating func remove(_ key: UInt128) -> Payload? {
        let (newRoot, removed) = remove(key, from: root)
        root = newRoot
        guard let removed else { return nil }
        let payload = nodes[Int(removed)].payload
        compact(removed)
        return payload
    }

    /// Changes an entry's key in place. The caller guarantees the new key still sorts between the entry's
    /// neighbours, which is what lets a free interval shrink or grow without a remove and insert.
    mutating func setKey(_ index: Index, to key: UInt128) {
        nodes[Int(index)].key = key
    }

    /// Changes the payload of an entry known to be present through `index` when the summary does not depend on
    /// it (free intervals); use ``insert(_:_:)`` to replace payloads that feed the summary.
    mutating func setPayloadKeepingSummary(_ index: Index, _ payload: Payload) {
        nodes[Int(index)].payload = payload
    }

    // MARK: Internals

    private func height(_ n: Index) -> Int8 { n >= 0 ? nodes[Int(n)].height : 0 }

    private mutating func refresh(_ n: Index) {
        let i = Int(n)
        let left = nodes[i].left
        let right = nodes[i].right
        nodes[i].height = 1 + max(height(left), height(right))
        nodes[i].summary = Payload.summarize(
            nodes[i].payload,
            left: left >= 0 ? nodes[Int(left)].summary : nil,
            right: right >= 0 ? nodes[Int(right)].summary : nil)
    }

    private mutating func rotateRight(_ n: Index) -> Index {
        let l = nodes[Int(n)].left
        nodes[Int(n)].left = nodes[Int(l)].right
        nodes[Int(l)].right = n
        refresh(n)
        refresh(l)
        return l
    }

    private mutating func rotateLeft(_ n: Index) -> Index {
        let r = nodes[Int(n)].right
        nodes[Int(n)].right = nodes[Int(r)].left
        nodes[Int(r)].left = n
        refresh(n)
        refresh(r)
        return r
    }

    private mutating func rebalance(_ n: Index) -> Index {
        refresh(n)
        let left = nodes[Int(n)].left
        let right = nodes[Int(n)].right
        let balance = Int(height(left)) - Int(height(right))
        if balance > 1 {
            if height(nodes[Int(left)].left) < height(nodes[Int(left)].right) {
                let rotated = rotateLeft(left)
                nodes[Int(n)].left = rotated
            }
            return rotateRight(n)
        }
        if balance < -1 {
            if height(nodes[Int(right)].right) < height(nodes[Int(right)].left) {
                let rotated = rotateRight(right)
                nodes[Int(n)].right = rotated
            }
            return rotateLeft(n)
        }
        return n
    }

    private mutating func insert(_ key: UInt128, _ payload: Payload, into n: Index) -> Index {
        guard n >= 0 else {
            let summary = Payload.summarize(payload, left: nil, right: nil)
            nodes.append(Node(key: key, payload: payload, summary: summary))
            return Index(nodes.count - 1)
        }
        let i = Int(n)
        if key < nodes[i].key {
            let child = insert(key, payload, into: nodes[i].left)
            nodes[i].left = child
        } else if key > nodes[i].key {
            let child = insert(key, payload, into: nodes[i].right)
            nodes[i].right = child
        } else {
            nodes[i].payload = payload
        }
        return rebalance(n)
    }

    /// Unlinks the node with `key`; returns the new subtree root and the unlinked node's index.
    private mutating func remove(_ key: UInt128, from n: Index) -> (Index, Index?) {
        guard n >= 0 else { return (n, nil) }
        let i = Int(n)
        if key < nodes[i].key {
            let (child, removed) = remove(key, from: nodes[i].left)
            nodes[i].left = child
            return removed == nil ? (n, nil) : (rebalance(n), removed)
        }
        if key > nodes[i].key {
            let (child, removed) = remove(key, from: nodes[i].right)
            nodes[i].right = child
            return removed == nil ? (n, nil) : (rebalance(n), removed)
        }
        let left = nodes[i].left
        let right = nodes[i].right
        if left < 0 { return (right, n) }
        if right < 0 { return (left, n) }
        let (newRight, successor) = removeMinimum(from: right)
        nodes[Int(successor)].left = left
        nodes[Int(successor)].right = newRight
        return (rebalance(successor), n)
    }

    private mutating func removeMinimum(from n: Index) -> (Index, Index) {
        let left = nodes[Int(n)].left
        if left < 0 { return (nodes[Int(n)].right, n) }
        let (child, minimum) = removeMinimum(from: left)
        nodes[Int(n)].left = child
        return (rebalance(n), minimum)
    }

    /// Moves the last node into the unlinked slot so the array stays dense and the payload is freed now.
    private mutating func compact(_ removed: Index) {
        let last = Index(nodes.count - 1)
        if removed != last {
            nodes.swapAt(Int(removed), Int(last))
            if root == last {
                root = removed
            } else {
                let key = nodes[Int(removed)].key
                var p = root
                while p >= 0 {
                    if key < nodes[Int(p)].key {
                        if nodes[Int(p)].left == last {
                            nodes[Int(p)].left = removed
                            break
                        }
                        p = nodes[Int(p)].left
                    } else {
                        if nodes[Int(p)].right == last {
                            nodes[Int(p)].right = removed
                            break
                        }
                        p = nodes[Int(p)].right
                    }
                }
            }
        }
        nodes.removeLast()
    }

    private mutating func build(_ entries: [(key: UInt128, payload: Payload)], _ low: Int, _ high: Int) -> Index {
        guard low < high else { return -1 }
        let mid = (low + high) / 2
        let left = build(entries, low, mid)
        let right = build(entries, mid + 1, high)
        let entry = entries[mid]
        let summary = Payload.summarize(
            entry.payload,
            left: left >= 0 ? nodes[Int(left)].summary : nil,
            right: right >= 0 ? nodes[Int(right)].summary : nil)
        let height = 1 + max(self.height(left), self.height(right))
        nodes.append(Node(key: entry.key, payload: entry.payload, summary: summary, left: left, right: right, height: height))
        return Index(nodes.count - 1)
    }
}

extension UInt128: TreePayload {
    typealias Summary = Void
    static func summarize(_ payload: UInt128, left: Void?, right: Void?) {}
}

extension OrderedTree: Sendable where Payload: Sendable, Payload.Summary: Sendable {}
extension OrderedTree.Node: Sendable where Payload: Sendable, Payload.Summary: Sendable {}
