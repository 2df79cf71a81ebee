/// A parsed `?fieldSelector=`: `field=value`, `field==value` or `field!=value` terms joined by commas (AND).
///
/// Follows apimachinery's `fields.ParseSelector`: a term splits at its first operator, values may escape
/// `\,` `\=` `\\`, empty terms are ignored. Which fields may be selected on is the server's business (it
/// differs per resource), so all are accepted here and ``requirements`` lets the server check.
public struct FieldSelector: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable, Equatable {
        /// `=` and `==`.
        case equals = "="
        case notEquals = "!="
    }

    public struct Requirement: Sendable, Equatable, CustomStringConvertible {
        /// A dotted path such as `metadata.name` or `spec.type`.
        public var field: String
        public var `operator`: Operator
        public var value: String

        public init(field: String, operator: Operator, value: String) {
            self.field = field
            self.operator = `operator`
            self.value = value
        }

        public func matches(_ object: JSONValue) -> Bool {
            let actual = FieldSelector.fieldText(object, path: field)
            return self.operator == .equals ? actual == value : actual != value
        }

        public var description: String {
            field + self.operator.rawValue + FieldSelector.escape(value)
        }
    }

    /// In the order apimachinery keeps them: sorted by the text of each term.
    public var requirements: [Requirement]

    /// Sorts the requirements like parsing does, so that equal selectors compare equal.
    public init(requirements: [Requirement]) {
        self.requirements = requirements.sorted { $0.description < $1.description }
    }

    public init(parsing text: String) throws(SelectorError) {
        var requirements: [Requirement] = []
        for term in Self.splitTerms(text) where !term.isEmpty {
            requirements.append(try Self.parseTerm(term, in: text))
        }
        self.init(requirements: requirements)
    }

    public static let everything = FieldSelector(requirements: [])

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { $0.matches(object) }
    }

    /// The value a `field=value` term requires for `field`, if there is exactly such a term (a watch on
    /// `metadata.name=web` can then be served from one key).
    public func requiredValue(for field: String) -> String? {
        requirements.first { $0.field == field && $0.operator == .equals }?.value
    }

    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    /// The field's value as selector text: strings as they are, numbers and booleans as JSON writes them,
    /// and a missing (or null, or structured) field as the empty string.
    static func fieldText(_ object: JSONValue, path: String) -> String {
        let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch object.value(at: keys[...]) {
        case .string(let text)?: return text
        case .bool(let flag)?: return flag ? "true" : "false"
        case .int(let number)?: return String(number)
        case .double(let number)?:
            if let integer = JSONValue.double(number).intValue { return String(integer) }
            return String(number)
        default: return ""
        }
    }

    /// Splits at commas not preceded by a backslash; escapes stay in the terms.
    static func splitTerms(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var terms: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                terms.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        terms.append(current)
        return terms
    }

    private static func parseTerm(_ term: String, in text: String) throws(SelectorError) -> Requirement {
        // The field part has no escapes: the first operator anywhere splits the term, `!=` and `==` before `=`.
        var index = term.startIndex
        while index < term.endIndex {
            let rest = term[index...]
            for (spelling, op) in [("!=", Operator.notEquals), ("==", .equals), ("=", .equals)]
            where rest.hasPrefix(spelling) {
                let value = try unescape(String(rest.dropFirst(spelling.count)))
                return Requirement(field: String(term[..<index]), operator: op, value: value)
            }
            index = term.index(after: index)
        }
        throw SelectorError("invalid selector: '\(text)'; can't understand '\(term)'")
    }

    static func unescape(_ value: String) throws(SelectorError) -> String {
        var result = ""
        var escaped = false
        for character in value {
            if escaped {
                guard character == "\\" || character == "," || character == "=" else {
                    throw SelectorError("invalid field selector: invalid escape sequence: \\\(character)")
                }
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," || character == "=" {
                throw SelectorError("invalid field selector: unescaped character in value: '\(character)'")
            } else {
                result.append(character)
            }
        }
        if escaped {
            throw SelectorError("invalid field selector: invalid escape sequence: \\")
        }
        return result
    }

    static func escape(_ value: String) -> String {
        var result = ""
        for character in value {
            if character == "\\" || character == "," || character == "=" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
