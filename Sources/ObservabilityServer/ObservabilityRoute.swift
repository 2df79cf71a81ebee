/// What a request path asks for. Paths are matched exactly, as Go's `http.ServeMux` does for the same
/// endpoints, so a typo gets a 404 rather than a surprising answer.
enum ObservabilityRoute: Sendable, Hashable {
    case metrics
    /// A whole probe endpoint, or one check of it (`/readyz/NAME`).
    case probe(ProbeEndpoint, check: String?)

    /// nil for every path this server does not serve.
    init?(path: String) {
        if path == "/metrics" {
            self = .metrics
            return
        }
        for endpoint in ProbeEndpoint.allCases {
            let root = "/" + endpoint.rawValue
            if path == root {
                self = .probe(endpoint, check: nil)
                return
            }
            if path.hasPrefix(root + "/") {
                let name = path.dropFirst(root.count + 1)
                guard !name.isEmpty, !name.contains("/") else { return nil }
                self = .probe(endpoint, check: String(name))
                return
            }
        }
        return nil
    }
}
