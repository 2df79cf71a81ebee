/// Where the observability endpoint listens, written `host:port` as Go tools (and kube-vip's flags) write it:
/// ":2112" for every interface, "127.0.0.1:0", "[::1]:8080", "0.0.0.0:10258".
public struct BindAddress: Sendable, Hashable, CustomStringConvertible {
    /// "0.0.0.0" when the text leaves it empty. That is every IPv4 interface; Go's ":2112" also listens on
    /// IPv6, which "[::]:2112" asks for here.
    public let host: String
    /// 0 lets the system pick a free port (ask the server's `listeningPort()` which).
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    /// Reads `host:port`; an IPv6 host must be in brackets, and the port must be 0...65535.
    public init(parsing text: String) throws(BindAddressError) {
        func failure(_ problem: String) -> BindAddressError {
            BindAddressError(message: "invalid address \"\(text)\": \(problem)")
        }
        guard !text.isEmpty else {
            throw failure("expected host:port, such as \":2112\" or \"127.0.0.1:8080\"")
        }
        guard !text.contains(where: \.isWhitespace) else { throw failure("it contains whitespace") }

        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw failure("missing \"]\" after the IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else {
                throw failure(rest.isEmpty ? "missing port; add one, as in \"\(text):8080\"" : "unexpected \"\(rest)\" after \"]\"")
            }
            portText = rest.dropFirst()
            guard host.contains(":") else { throw failure("brackets are for IPv6 addresses, such as \"[::1]:8080\"") }
            guard host.allSatisfy(Self.isIPv6Character) else { throw failure("\"\(host)\" is not an IPv6 address") }
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                let hint = text.allSatisfy(\.isASCIIDigit) ? "; write \":\(text)\" to listen on every interface" : ""
                throw failure("missing port\(hint)")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else {
                throw failure("too many colons; write an IPv6 address in brackets, as in \"[::1]:8080\"")
            }
            guard host.allSatisfy(Self.isHostNameCharacter) else { throw failure("\"\(host)\" is not a host name or IP address") }
        }
        guard !portText.isEmpty else { throw failure("missing port after \":\"") }
        guard portText.allSatisfy(\.isASCIIDigit) else { throw failure("port \"\(portText)\" is not a number") }
        guard let port = Int(portText), port <= 65535 else {
            throw failure("port \(portText) is out of range 0...65535")
        }
        self.init(host: String(host), port: port)
    }

    /// The address as it would be written on a command line; IPv6 hosts in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func isHostNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "." || character == "-" || character == "_")
    }

    /// Hex digits, colons, a dotted IPv4 tail, and a `%zone` (an interface name) for link-local addresses.
    private static func isIPv6Character(_ character: Character) -> Bool {
        isHostNameCharacter(character) || character == ":" || character == "%"
    }
}

/// Why a bind address could not be read; `message` quotes the text and says what to write instead.
public struct BindAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public var description: String { message }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
