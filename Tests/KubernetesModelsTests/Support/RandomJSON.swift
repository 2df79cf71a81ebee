import KubernetesModels

/// Random JSON documents over a small key alphabet, so that two documents share keys often enough for
/// merges and diffs to have something to do.
struct RandomJSON {
    var random: SeededGenerator
    static let keys = ["a", "b", "c", "d", "spec", "ports"]

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    /// An object whose members may be anything except `null` (a merge patch cannot produce `null` members).
    mutating func object(depth: Int = 3) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            let key = Self.keys[Int.random(in: 0..<Self.keys.count, using: &random)]
            members[key] = value(depth: depth - 1)
        }
        return .object(members)
    }

    mutating func value(depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 7 : 5), using: &random) {
        case 0: return .bool(Bool.random(using: &random))
        case 1: return .int(Int64.random(in: -3...3, using: &random))
        case 2: return .string(["x", "y", ""][Int.random(in: 0...2, using: &random)])
        case 3: return .double(0.5)
        case 4: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in primitive() })
        default: return object(depth: depth)
        }
    }

    mutating func primitive() -> JSONValue {
        Bool.random(using: &random) ? .int(Int64.random(in: 0...5, using: &random)) : .string("p")
    }

    /// A merge patch: like ``object(depth:)`` but members may also be `null` (delete).
    mutating func patch(depth: Int = 3) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            let key = Self.keys[Int.random(in: 0..<Self.keys.count, using: &random)]
            if Int.random(in: 0..<5, using: &random) == 0 {
                members[key] = .null
            } else if depth > 1 && Bool.random(using: &random) {
                members[key] = patch(depth: depth - 1)
            } else {
                members[key] = value(depth: depth - 1)
            }
        }
        return .object(members)
    }
}
