/// The shapes Kubernetes allows for object names, with apimachinery's error wording so that kubectl users
/// see the messages they know.
enum NameRule: Sendable {
    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`, at most 253 characters.
    case dns1123Subdomain
    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters: Namespaces.
    case dns1123Label
    /// `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters: Services, whose names become DNS labels.
    case dns1035Label

    func violations(of name: String) -> [String] {
        var problems: [String] = []
        switch self {
        case .dns1123Subdomain:
            if name.utf8.count > 253 { problems.append("must be no more than 253 characters") }
            let labels = name.split(separator: ".", omittingEmptySubsequences: false)
            if !labels.allSatisfy({ Self.isLabel($0, letterFirst: false) }) {
                problems.append(
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                        + "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
                        + "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
            }
        case .dns1123Label:
            if name.utf8.count > 63 { problems.append("must be no more than 63 characters") }
            if !Self.isLabel(Substring(name), letterFirst: false) {
                problems.append(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
                        + "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                        + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
            }
        case .dns1035Label:
            if name.utf8.count > 63 { problems.append("must be no more than 63 characters") }
            if !Self.isLabel(Substring(name), letterFirst: true) {
                problems.append(
                    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                        + "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
                        + "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
            }
        }
        return problems
    }

    private static func isLabel(_ label: Substring, letterFirst: Bool) -> Bool {
        let bytes = Array(label.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard letterFirst ? isLower(first) : (isLower(first) || isDigit(first)) else { return false }
        guard isLower(last) || isDigit(last) else { return false }
        return bytes.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }
}
