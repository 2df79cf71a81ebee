/// The tokenizer and recursive-descent parser behind ``LabelSelector/init(parsing:)``, with apimachinery's
/// token rules: identifiers run until whitespace or one of `=!(),<>`, and `in`/`notin` are keywords only
/// where an operator is expected.
enum LabelSelectorParser {
    enum Token: Equatable {
        case identifier(String)
        case not, notEquals, equals, doubleEquals, greaterThan, lessThan
        case open, close, comma
        case end

        var text: String {
            switch self {
            case .identifier(let name): name
            case .not: "!"
            case .notEquals: "!="
            case .equals: "="
            case .doubleEquals: "=="
            case .greaterThan: ">"
            case .lessThan: "<"
            case .open: "("
            case .close: ")"
            case .comma: ","
            case .end: "end of string"
            }
        }
    }

    static func parse(_ text: String) throws(SelectorError) -> [LabelSelector.Requirement] {
        var parser = Parser(tokens: try tokenize(text))
        return try parser.parseSelector()
    }

    static func tokenize(_ text: String) throws(SelectorError) -> [Token] {
        let bytes = Array(text.utf8)
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if isWhitespace(byte) {
                index += 1
            } else if isSpecial(byte) {
                // Longest run of special characters that still forms a token, like apimachinery's lexer.
                var length = 1
                var best: (Token, Int)? = symbol(bytes[index..<index + 1]).map { ($0, 1) }
                while index + length < bytes.count, isSpecial(bytes[index + length]) {
                    length += 1
                    if let token = symbol(bytes[index..<index + length]) {
                        best = (token, length)
                    } else if best != nil {
                        break
                    }
                }
                guard let (token, used) = best else {
                    let run = String(decoding: bytes[index..<index + length], as: UTF8.self)
                    throw SelectorError("unable to parse requirement: error expected: keyword found '\(run)'")
                }
                tokens.append(token)
                index += used
            } else {
                let start = index
                while index < bytes.count, !isWhitespace(bytes[index]), !isSpecial(bytes[index]) { index += 1 }
                tokens.append(.identifier(String(decoding: bytes[start..<index], as: UTF8.self)))
            }
        }
        tokens.append(.end)
        return tokens
    }

    private static func symbol(_ bytes: ArraySlice<UInt8>) -> Token? {
        switch String(decoding: bytes, as: UTF8.self) {
        case "!": .not
        case "!=": .notEquals
        case "=": .equals
        case "==": .doubleEquals
        case ">": .greaterThan
        case "<": .lessThan
        case "(": .open
        case ")": .close
        case ",": .comma
        default: nil
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        "=!(),<>".utf8.contains(byte)
    }

    struct Parser {
        var tokens: [Token]
        var position = 0

        var next: Token { tokens[min(position, tokens.count - 1)] }

        mutating func consume() -> Token {
            let token = next
            position += 1
            return token
        }

        mutating func parseSelector() throws(SelectorError) -> [LabelSelector.Requirement] {
            var requirements: [LabelSelector.Requirement] = []
            while true {
                switch next {
                case .end:
                    return requirements
                case .identifier, .not:
                    requirements.append(try parseRequirement())
                    switch consume() {
                    case .end:
                        return requirements
                    case .comma:
                        switch next {
                        case .identifier, .not: continue
                        default: throw SelectorError("found '\(next.text)', expected: identifier after ','")
                        }
                    case let other:
                        throw SelectorError("found '\(other.text)', expected: ',' or 'end of string'")
                    }
                default:
                    throw SelectorError("found '\(next.text)', expected: !, identifier, or 'end of string'")
                }
            }
        }

        private mutating func parseRequirement() throws(SelectorError) -> LabelSelector.Requirement {
            var negated = false
            if next == .not {
                negated = true
                position += 1
            }
            let keyToken = consume()
            guard case .identifier(let key) = keyToken else {
                throw SelectorError("unable to parse requirement: found '\(keyToken.text)', expected: identifier")
            }
            let problems = LabelSyntax.keyProblems(key)
            if !problems.isEmpty {
                throw SelectorError(
                    "unable to parse requirement: Invalid value: \"\(key)\": \(problems.joined(separator: "; "))")
            }
            if negated {
                return try LabelSelector.Requirement(key: key, operator: .doesNotExist)
            }
            if next == .end || next == .comma {
                return try LabelSelector.Requirement(key: key, operator: .exists)
            }
            let op: LabelSelector.Operator
            switch consume() {
            case .identifier("in"): op = .in
            case .identifier("notin"): op = .notIn
            case .equals, .doubleEquals: op = .equals
            case .notEquals: op = .notEquals
            case .greaterThan: op = .greaterThan
            case .lessThan: op = .lessThan
            case let other:
                throw SelectorError(
                    "unable to parse requirement: found '\(other.text)', expected: in, notin, =, ==, !=, gt, lt")
            }
            let values = op == .in || op == .notIn ? try parseSet() : try parseExactValue()
            return try LabelSelector.Requirement(key: key, operator: op, values: values)
        }

        /// `(a, b, c)`; empty entries (`(,a)`, `()`) count as the empty value, like apimachinery.
        private mutating func parseSet() throws(SelectorError) -> [String] {
            let open = consume()
            guard open == .open else {
                throw SelectorError("unable to parse requirement: found '\(open.text)' expected: '('")
            }
            var values: [String] = []
            var expectingValue = true
            while true {
                switch consume() {
                case .identifier(let value) where expectingValue:
                    values.append(value)
                    expectingValue = false
                case .comma:
                    if expectingValue { values.append("") }
                    expectingValue = true
                case .close:
                    if expectingValue { values.append("") }
                    return values
                case let other:
                    let expected = expectingValue ? "',', ')' or identifier" : "',' or ')'"
                    throw SelectorError("unable to parse requirement: found '\(other.text)', expected: \(expected)")
                }
            }
        }

        private mutating func parseExactValue() throws(SelectorError) -> [String] {
            switch next {
            case .end, .comma:
                return [""]
            case .identifier(let value):
                position += 1
                return [value]
            default:
                throw SelectorError("unable to parse requirement: found '\(next.text)', expected: identifier")
            }
        }
    }
}
