/// A parsed `?labelSelector=` (and the string form of `metav1.LabelSelector`): requirements that must all hold.
///
/// Syntax and semantics are apimachinery's `labels.Parse`: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
/// `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, joined by commas. `!=` and `notin` also match objects without the
/// label, which is what makes `kubectl get -l 'env!=prod'` list unlabelled objects.
public struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable, Equatable, CaseIterable {
        /// `=` and `==` (the same requirement; `==` is normalised to `=`).
        case equals = "="
        case notEquals = "!="
        case `in` = "in"
        case notIn = "notin"
        case exists = "exists"
        case doesNotExist = "!"
        /// `a>5`: the label's value is an integer greater than 5.
        case greaterThan = ">"
        case lessThan = "<"
    }

    public struct Requirement: Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var `operator`: Operator
        /// Sorted and without duplicates, so equal requirements compare equal.
        public var values: [String]

        /// A requirement as written; the key and values are validated like labels.
        public init(key: String, operator: Operator, values: [String] = []) throws(SelectorError) {
            self.key = key
            self.operator = `operator`
            self.values = Array(Set(values)).sorted()
            try validate()
        }

        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch self.operator {
            case .equals, .in:
                return value.map(values.contains) ?? false
            case .notEquals, .notIn:
                return value.map { !values.contains($0) } ?? true
            case .exists:
                return value != nil
            case .doesNotExist:
                return value == nil
            case .greaterThan, .lessThan:
                guard let value, let actual = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else {
                    return false
                }
                return self.operator == .greaterThan ? actual > bound : actual < bound
            }
        }

        /// The canonical text, which parses back to an equal requirement.
        public var description: String {
            switch self.operator {
            case .equals, .notEquals, .greaterThan, .lessThan:
                return key + self.operator.rawValue + (values.first ?? "")
            case .in, .notIn:
                return "\(key) \(self.operator.rawValue) (\(values.joined(separator: ",")))"
            case .exists:
                return key
            case .doesNotExist:
                return "!" + key
            }
        }

        private func validate() throws(SelectorError) {
            let keyProblems = LabelSyntax.keyProblems(key)
            if !keyProblems.isEmpty {
                throw SelectorError(invalid: "key", key, keyProblems)
            }
            switch self.operator {
            case .in, .notIn:
                if values.isEmpty {
                    throw SelectorError(
                        invalid: "values", "[]", ["for 'in', 'notin' operators, values set can't be empty"])
                }
            case .equals, .notEquals:
                if values.count != 1 {
                    throw SelectorError(
                        invalid: "values", "\(values)", ["exact-match compatibility requires one single value"])
                }
            case .exists, .doesNotExist:
                if !values.isEmpty {
                    throw SelectorError(
                        invalid: "values", "\(values)", ["values set must be empty for exists and does not exist"])
                }
            case .greaterThan, .lessThan:
                if values.count != 1 {
                    throw SelectorError(
                        invalid: "values", "\(values)", ["for 'Gt', 'Lt' operators, exactly one value is required"])
                }
                for (index, value) in values.enumerated() where Int64(value) == nil {
                    throw SelectorError(
                        invalid: "values[\(index)]", value, ["for 'Gt', 'Lt' operators, the value must be an integer"])
                }
            }
            for (index, value) in values.enumerated() {
                let problems = LabelSyntax.valueProblems(value)
                if !problems.isEmpty {
                    throw SelectorError(invalid: "values[\(index)][\(key)]", value, problems)
                }
            }
        }
    }

    /// Sorted by key (stable), like apimachinery, so the same selector written in another order is equal.
    public private(set) var requirements: [Requirement]

    public init(requirements: [Requirement]) {
        self.requirements = requirements.enumerated()
            .sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
            .map(\.element)
    }

    public init(parsing text: String) throws(SelectorError) {
        self.init(requirements: try LabelSelectorParser.parse(text))
    }

    /// Matches every object, like an empty or absent `labelSelector`.
    public static let everything = LabelSelector(requirements: [])

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// The canonical `labelSelector` text; parsing it gives back an equal selector.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }
}

extension SelectorError {
    /// apimachinery's `field.Invalid` wording: `key: Invalid value: "x": reason`.
    init(invalid field: String, _ value: String, _ problems: [String]) {
        self.init(
            "unable to parse requirement: \(field): Invalid value: \"\(value)\": \(problems.joined(separator: "; "))")
    }
}
