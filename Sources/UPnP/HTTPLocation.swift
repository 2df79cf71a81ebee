import NetworkAddresses

/// An `http://` URL with a literal address, as gateways give in `LOCATION`, `URLBase` and `controlURL`.
///
/// Deliberately narrow: only `http` (a gateway's control point has no TLS), only literal IPv4 or bracketed
/// IPv6 hosts (so discovery never depends on DNS, and a LAN peer cannot steer requests to a name), no user
/// information. Anything else is an `HTTPLocationError` rather than a guess.
public struct HTTPLocation: Sendable, Hashable, CustomStringConvertible {
    public var endpoint: HTTPEndpoint
    /// Path and query, starting with `/`, as sent on the request line. Only visible ASCII, so it cannot
    /// break the request line.
    public var target: String

    public init(endpoint: HTTPEndpoint, target: String) {
        self.endpoint = endpoint
        self.target = target
    }

    /// Parses an absolute `http://` URL (surrounding whitespace ignored; the fragment dropped).
    public init(parsing text: String) throws(HTTPLocationError) {
        let trimmed = Substring(text.trimmingASCIIWhitespace)
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.utf8.count <= 2048 else { throw .malformed("URL longer than 2048 bytes") }
        guard trimmed.hasPrefixIgnoringASCIICase("http://") else {
            if let scheme = Self.scheme(of: trimmed) { throw .unsupportedScheme(String(scheme)) }
            throw .malformed(String(trimmed))
        }
        let rest = trimmed.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let endpoint = try Self.parseAuthority(rest[..<authorityEnd])
        self.init(endpoint: endpoint, target: try Self.normalizedTarget(rest[authorityEnd...]))
    }

    /// `reference` (a `controlURL`) resolved against this location as base, per RFC 3986 section 5.2:
    /// absolute `http://` URLs, network-path (`//host/...`), absolute-path and relative references.
    public func resolving(_ reference: String) throws(HTTPLocationError) -> HTTPLocation {
        let trimmed = Substring(reference.trimmingASCIIWhitespace)
        if trimmed.hasPrefix("//") {
            return try HTTPLocation(parsing: "http:" + String(trimmed))
        }
        if let scheme = Self.scheme(of: trimmed) {
            guard scheme.equalsIgnoringASCIICase("http") else { throw .unsupportedScheme(String(scheme)) }
            return try HTTPLocation(parsing: String(trimmed))
        }
        let withoutFragment = trimmed.prefix { $0 != "#" }
        let basePath = target.prefix { $0 != "?" }
        let merged: String
        if withoutFragment.isEmpty {
            return self
        } else if withoutFragment.hasPrefix("/") {
            merged = String(withoutFragment)
        } else if withoutFragment.hasPrefix("?") {
            merged = String(basePath + withoutFragment)
        } else {
            let directory = basePath.lastIndex(of: "/").map { basePath[...$0] } ?? "/"
            merged = String(directory + withoutFragment)
        }
        return HTTPLocation(endpoint: endpoint, target: try Self.normalizedTarget(merged[...]))
    }

    public var description: String { "http://\(endpoint)\(target)" }

    // MARK: Parts

    /// The scheme of an absolute URL (`https` in `https://…`), nil for a relative reference.
    static func scheme(of text: Substring) -> Substring? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let candidate = text[..<colon]
        guard let first = candidate.utf8.first, ASCII.isLetter(first),
            candidate.utf8.allSatisfy({ ASCII.isLetter($0) || ASCII.isDigit($0) || "+-.".utf8.contains($0) })
        else { return nil }
        return candidate
    }

    static func parseAuthority(_ authority: Substring) throws(HTTPLocationError) -> HTTPEndpoint {
        guard !authority.isEmpty else { throw .malformed("no host") }
        guard !authority.contains("@") else { throw .malformed("user information in the URL") }
        let host: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .malformed("unclosed '[' in the host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portText = nil
            } else {
                guard after.hasPrefix(":") else { throw .malformed("text after the IPv6 address") }
                portText = after.dropFirst()
            }
            guard case .success(let address) = IPAddress.parse(host), address.family == .ipv6 else {
                throw .malformed("\"\(host)\" is not an IPv6 address")
            }
            return HTTPEndpoint(host: address, port: try parsePort(portText))
        }
        guard authority.firstIndex(of: ":") == authority.lastIndex(of: ":") else {
            throw .malformed("IPv6 address without brackets")
        }
        if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        guard case .success(let address) = IPAddress.parse(host), address.family == .ipv4 else {
            guard !host.isEmpty else { throw .malformed("no host") }
            if host.utf8.allSatisfy({ ASCII.isDigit($0) || $0 == UInt8(ascii: ".") }) {
                throw .malformed("\"\(host.prefix(64))\" is not an IPv4 address")
            }
            throw .hostName(String(host.prefix(253)))
        }
        return HTTPEndpoint(host: address, port: try parsePort(portText))
    }

    /// An absent or empty port is the default 80 (RFC 3986 allows `host:`).
    static func parsePort(_ text: Substring?) throws(HTTPLocationError) -> UInt16 {
        guard let text, !text.isEmpty else { return 80 }
        guard let port = String.parseDecimal(text, as: UInt16.self), port != 0 else {
            throw .malformed("port \"\(text.prefix(20))\"")
        }
        return port
    }

    /// Path and query with the fragment dropped, dot segments removed and an empty path made `/`.
    static func normalizedTarget(_ text: Substring) throws(HTTPLocationError) -> String {
        let withoutFragment = text.prefix { $0 != "#" }
        guard withoutFragment.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformed("spaces, control or non-ASCII characters in the path")
        }
        let path = withoutFragment.prefix { $0 != "?" }
        let query = withoutFragment[path.endIndex...]
        let absolutePath = path.hasPrefix("/") ? String(path) : "/" + path
        return removingDotSegments(absolutePath) + query
    }

    /// RFC 3986, 5.2.4, for a path that starts with `/`.
    static func removingDotSegments(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var output: [Substring] = []
        for (position, segment) in segments.enumerated() {
            let isLast = position == segments.count - 1
            switch segment {
            case ".":
                if isLast { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/")
    }
}

/// Why a URL from a gateway cannot be used.
public enum HTTPLocationError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    /// `https`, `ftp` and anything but `http`.
    case unsupportedScheme(String)
    /// A host name instead of a literal address: it is not resolved, so that discovery never depends on DNS.
    case hostName(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .empty: "empty URL"
        case .unsupportedScheme(let scheme): "URL scheme \"\(scheme)\" is not supported (only http)"
        case .hostName(let host): "host name \"\(host)\" in the URL (only literal addresses are used)"
        case .malformed(let reason): "malformed URL: \(reason)"
        }
    }
}
