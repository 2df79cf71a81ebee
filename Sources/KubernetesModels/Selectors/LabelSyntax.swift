/// The syntax of label keys and values (apimachinery `validation.IsQualifiedName` and `IsValidLabelValue`).
///
/// A selector naming a key no object could carry is a client mistake worth reporting, not an empty result.
enum LabelSyntax {
    static let maxNameLength = 63
    static let maxPrefixLength = 253
    static let nameRule =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
        + "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

    /// The problems with `key` as a label key; empty when it is valid.
    static func keyProblems(_ key: String) -> [String] {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return nameProblems(Substring(key))
        case 2:
            var problems: [String] = []
            if parts[0].isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                problems += subdomainProblems(parts[0]).map { "prefix part \($0)" }
            }
            return problems + nameProblems(parts[1])
        default:
            return [
                "a valid label key \(nameRule) with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
    }

    /// The problems with `value` as a label value; empty when it is valid.
    static func valueProblems(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > maxNameLength {
            problems.append("must be no more than \(maxNameLength) characters")
        }
        if !value.isEmpty && !isName(value.utf8) {
            problems.append(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                    + "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                    + "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
        }
        return problems
    }

    private static func nameProblems(_ name: Substring) -> [String] {
        var problems: [String] = []
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else if name.utf8.count > maxNameLength {
            problems.append("name part must be no more than \(maxNameLength) characters")
        }
        if !isName(name.utf8) {
            problems.append("name part \(nameRule)")
        }
        return problems
    }

    /// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`
    private static func isName(_ bytes: some BidirectionalCollection<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }

    /// RFC 1123 subdomain: lower-case labels of `[a-z0-9]([-a-z0-9]*[a-z0-9])?` joined by dots.
    private static func subdomainProblems(_ text: Substring) -> [String] {
        var problems: [String] = []
        if text.utf8.count > maxPrefixLength {
            problems.append("must be no more than \(maxPrefixLength) characters")
        }
        let labels = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let valid = labels.allSatisfy { label in
            guard let first = label.first, let last = label.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last)
            else { return false }
            return label.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
        if !valid {
            problems.append(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
                    + "must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                    + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        }
        return problems
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
