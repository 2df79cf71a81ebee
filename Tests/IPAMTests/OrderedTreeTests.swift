import PropertyBased
import Testing

@testable import IPAM

@Suite("Ordered tree")
struct OrderedTreeTests {
    /// Checks the AVL shape: keys ordered, every node balanced, so lookups stay logarithmic.
    private func isBalancedSearchTree(_ tree: OrderedTree<UInt128>) -> Bool {
        func check(_ n: Int32, _ low: UInt128?, _ high: UInt128?) -> Int? {
            guard n >= 0 else { return 0 }
            let node = tree.nodes[Int(n)]
            if let low, node.key <= low { return nil }
            if let high, node.key >= high { return nil }
            guard let left = check(node.left, low, node.key), let right = check(node.right, node.key, high),
                abs(left - right) <= 1, Int(node.height) == 1 + max(left, right)
            else { return nil }
            return 1 + max(left, right)
        }
        return check(tree.root, nil, nil) != nil
    }

    @Test func randomInsertsAndRemovesMatchASortedDictionary() async {
        await propertyCheck(count: 60, input: Gen.uint16(in: 0...400).array(of: 0...300)) { operations in
            var tree = OrderedTree<UInt128>()
            var model: [UInt128: UInt128] = [:]
            for (step, operation) in operations.enumerated() {
                let key = UInt128(operation % 200)
                if operation >= 200 {
                    tree.remove(key)
                    model[key] = nil
                } else {
                    tree.insert(key, UInt128(step))
                    model[key] = UInt128(step)
                }
            }
            #expect(tree.entries().map(\.key) == model.keys.sorted())
            #expect(tree.entries().map(\.payload) == model.keys.sorted().compactMap { model[$0] })
            #expect(isBalancedSearchTree(tree))
            #expect(tree.count == model.count)
        }
    }

    @Test func floorAndSuccessorFindNeighbours() {
        var tree = OrderedTree<UInt128>()
        for key: UInt128 in [10, 20, 30] { tree.insert(key, key) }
        #expect(tree.floor(5).map(tree.key) == nil)
        #expect(tree.floor(20).map(tree.key) == 20)
        #expect(tree.floor(25).map(tree.key) == 20)
        #expect(tree.successor(20).map(tree.key) == 30)
        #expect(tree.successor(30).map(tree.key) == nil)
    }

    @Test func bulkBuiltTreeIsBalanced() {
        let tree = OrderedTree<UInt128>(sorted: (0..<1000).map { (UInt128($0) * 3, UInt128($0)) })
        #expect(isBalancedSearchTree(tree))
        #expect(tree.first().map(tree.key) == 0)
        #expect(tree.last().map(tree.key) == 2997)
    }

    @Test func removingEverythingLeavesNoNodesBehind() {
        var tree = OrderedTree<UInt128>()
        for key in 0..<100 { tree.insert(UInt128(key), 0) }
        for key in (0..<100).reversed() { tree.remove(UInt128(key)) }
        #expect(tree.isEmpty)
        #expect(tree.nodes.isEmpty)
    }
}
