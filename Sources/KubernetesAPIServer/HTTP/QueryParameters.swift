/// The query string of a request, decoded like Go's `url.ParseQuery` (which kube-apiserver uses): `+` is a
/// space, `%XX` is a byte, and a name may repeat (the first value wins for single-valued options).
struct QueryParameters: Sendable, Equatable {
    private var values: [String: [String]]

    init(_ query: String?) {
        var values: [String: [String]] = [:]
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name, default: []].append(value)
        }
        self.values = values
    }

    subscript(name: String) -> String? { values[name]?.first }

    /// Booleans as Go's `strconv.ParseBool` reads them, case-insensitively: clients send `true`, `True`, `1`.
    /// A missing or unreadable value is `false`, as it is for kube-apiserver's query decoder.
    func bool(_ name: String) -> Bool {
        guard let value = self[name]?.lowercased() else { return false }
        return value == "true" || value == "1" || value == "t"
    }

    /// A non-negative integer option such as `limit` or `timeoutSeconds`; anything else counts as absent.
    func integer(_ name: String) -> Int? {
        guard let value = self[name], let number = Int(value), number >= 0 else { return nil }
        return number
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = String(text.map { $0 == "+" ? " " : $0 })
        return APIPath.percentDecoded(spaced[...])
    }
}
