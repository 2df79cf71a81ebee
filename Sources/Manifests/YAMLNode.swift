/// A YAML document tree whose mappings keep the order they were written in.
///
/// The manifests are checked in and compared byte for byte with the generator's output, so key order must
/// be the author's, not a dictionary's: Kubernetes readers expect `apiVersion`, `kind`, `metadata`, `spec`
/// in that order, and a diff of a regenerated file should only ever show what changed.
public indirect enum YAMLNode: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case sequence([YAMLNode])
    case mapping([YAMLPair])

    /// A mapping that leaves out the members whose value is nil, so optional fields read as one expression.
    public static func fields(_ members: KeyValuePairs<String, YAMLNode?>) -> YAMLNode {
        .mapping(members.compactMap { key, value in value.map { YAMLPair(key, $0) } })
    }

    /// A mapping from pairs built at run time (the optional ones already dropped).
    public static func fields(pairs: [(String, YAMLNode)]) -> YAMLNode {
        .mapping(pairs.map { YAMLPair($0.0, $0.1) })
    }

    /// The member `key` of a mapping, for tests and for callers that adjust a generated object.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The value at a path of mapping keys, e.g. `node[path: "spec", "template"]`.
    public subscript(path keys: String...) -> YAMLNode? {
        var node: YAMLNode? = self
        for key in keys { node = node?[key] }
        return node
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var sequenceValue: [YAMLNode]? {
        if case .sequence(let items) = self { return items }
        return nil
    }
}

public struct YAMLPair: Sendable, Hashable {
    public var key: String
    public var value: YAMLNode

    public init(_ key: String, _ value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

extension YAMLNode: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: YAMLNode...) { self = .sequence(elements) }
}

extension YAMLNode {
    /// Block-style YAML with two-space indentation; sequences are indented under their key.
    public var yaml: String {
        var lines: [String] = []
        YAMLEmitter.emit(self, indent: 0, into: &lines)
        return lines.map { $0 + "\n" }.joined()
    }
}

/// The few rules of block YAML the manifests need. Strings are written plain when every YAML 1.1 and 1.2
/// reader (PyYAML in kubernetes-validate, Go's yaml in kubectl) reads them back as the same string, and in
/// double quotes otherwise: `"true"`, `"15"` and `":2112"` must stay strings in an env var's value.
enum YAMLEmitter {
    static func emit(_ node: YAMLNode, indent: Int, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        switch node {
        case .string, .int, .bool:
            lines.append(pad + scalar(node))
        case .sequence(let items):
            if items.isEmpty {
                lines.append(pad + "[]")
                return
            }
            for item in items {
                switch item {
                case .mapping(let members) where !members.isEmpty:
                    nestedItem(item, pad: pad, indent: indent, into: &lines)
                case .sequence(let inner) where !inner.isEmpty:
                    nestedItem(item, pad: pad, indent: indent, into: &lines)
                default:
                    lines.append(pad + "- " + inline(item))
                }
            }
        case .mapping(let members):
            if members.isEmpty {
                lines.append(pad + "{}")
                return
            }
            for member in members {
                let key = pad + quotedIfNeeded(member.key) + ":"
                switch member.value {
                case .mapping(let inner) where !inner.isEmpty:
                    lines.append(key)
                    emit(member.value, indent: indent + 2, into: &lines)
                case .sequence(let inner) where !inner.isEmpty:
                    lines.append(key)
                    emit(member.value, indent: indent + 2, into: &lines)
                default:
                    lines.append(key + " " + inline(member.value))
                }
            }
        }
    }

    /// A mapping or sequence inside a sequence: its first line shares the line of the dash.
    private static func nestedItem(_ item: YAMLNode, pad: String, indent: Int, into lines: inout [String]) {
        var inner: [String] = []
        emit(item, indent: indent + 2, into: &inner)
        guard let first = inner.first else { return }
        lines.append(pad + "- " + first.dropFirst(indent + 2))
        lines.append(contentsOf: inner.dropFirst())
    }

    /// A node written on one line: scalars, and empty collections as `{}` and `[]`.
    private static func inline(_ node: YAMLNode) -> String {
        switch node {
        case .mapping: return "{}"
        case .sequence: return "[]"
        default: return scalar(node)
        }
    }

    private static func scalar(_ node: YAMLNode) -> String {
        switch node {
        case .string(let text): return quotedIfNeeded(text)
        case .int(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .sequence, .mapping: return inline(node)
        }
    }

    /// Words YAML 1.1 reads as booleans or null, whatever their case.
    private static let reservedWords: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ]

    static func quotedIfNeeded(_ text: String) -> String {
        needsQuotes(text) ? doubleQuoted(text) : text
    }

    private static func needsQuotes(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last else { return true }
        if reservedWords.contains(text.lowercased()) { return true }
        if first == " " || last == " " || last == ":" { return true }
        // Numbers in any YAML spelling (1e3, 0x1F, 1_000, .5, 10:30) start with a digit, a sign or a dot.
        if first.isNumber || ((first == "+" || first == "-" || first == ".") && text.dropFirst().first?.isNumber == true) {
            return true
        }
        if "?:,[]{}#&*!|>'\"%@`".contains(first) { return true }
        if first == "-" && (text.count == 1 || text.dropFirst().first == " ") { return true }
        if text.contains(": ") || text.contains(" #") { return true }
        return text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }
    }

    private static func doubleQuoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
