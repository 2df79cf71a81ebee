import KubernetesModels
import PropertyBased
import Testing

@Suite("Label selector properties")
struct LabelSelectorPropertyTests {
    static let keys = ["app", "tier", "kube-vip.io/ignore", "a.b_c-d", "in", "notin", "x"]
    static let values = ["web", "front", "1", "42", "", "A.b-c_d"]

    static func requirement(_ random: inout SeededGenerator) throws -> LabelSelector.Requirement {
        let key = keys[Int.random(in: 0..<keys.count, using: &random)]
        let op = LabelSelector.Operator.allCases[
            Int.random(in: 0..<LabelSelector.Operator.allCases.count, using: &random)]
        let value = { (random: inout SeededGenerator) in values[Int.random(in: 0..<values.count, using: &random)] }
        switch op {
        case .equals, .notEquals:
            return try .init(key: key, operator: op, values: [value(&random)])
        case .in, .notIn:
            return try .init(
                key: key, operator: op, values: (0..<Int.random(in: 1...3, using: &random)).map { _ in value(&random) })
        case .exists, .doesNotExist:
            return try .init(key: key, operator: op)
        case .greaterThan, .lessThan:
            return try .init(key: key, operator: op, values: [String(Int.random(in: -5...5, using: &random))])
        }
    }

    static func labels(_ random: inout SeededGenerator) -> [String: String] {
        var labels: [String: String] = [:]
        for key in keys where Bool.random(using: &random) {
            labels[key] = values[Int.random(in: 0..<values.count, using: &random)]
        }
        return labels
    }

    @Test("a selector's text parses back to the same selector, with the same matches")
    func roundTrip() async {
        await propertyCheck(count: 400, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SeededGenerator(seed: seed)
            let selector = LabelSelector(
                requirements: try (0..<Int.random(in: 0...4, using: &random)).map { _ in try Self.requirement(&random) }
            )
            let reparsed = try LabelSelector(parsing: selector.description)
            #expect(reparsed == selector, "\(selector)")
            let labels = Self.labels(&random)
            #expect(reparsed.matches(labels) == selector.matches(labels))
        }
    }

    @Test("a selector matches exactly when every requirement does, and `!=` is the negation of `=`")
    func semantics() async {
        await propertyCheck(count: 400, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SeededGenerator(seed: seed)
            let requirements = try (0..<Int.random(in: 0...4, using: &random)).map { _ in try Self.requirement(&random)
            }
            let labels = Self.labels(&random)
            #expect(
                LabelSelector(requirements: requirements).matches(labels)
                    == requirements.allSatisfy { $0.matches(labels) })
            for requirement in requirements where requirement.operator == .equals {
                let negated = try LabelSelector.Requirement(
                    key: requirement.key, operator: .notEquals, values: requirement.values)
                #expect(negated.matches(labels) == !requirement.matches(labels))
            }
        }
    }

    @Test("any text either fails to parse or parses to a selector whose text parses back to it")
    func arbitraryText() async {
        let alphabet: [Character] = ["a", "b", "=", "!", "(", ")", ",", " ", "<", ">", "1", "-", "/", ".", "i", "n"]
        await propertyCheck(count: 2000, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SeededGenerator(seed: seed)
            let text = String(
                (0..<Int.random(in: 0...12, using: &random)).map { _ in
                    alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                })
            guard let selector = try? LabelSelector(parsing: text) else { return }
            let reparsed = try LabelSelector(parsing: selector.description)
            #expect(reparsed == selector, "\(text) printed as \(selector)")
        }
    }
}
