import NetworkAddresses

/// The service types discovery asks for, in order of preference: IGD2's WANIPConnection:2 can tell
/// permanent leases apart and is what current gateways offer; PPP is for gateways whose WAN link is PPPoE.
public enum WANConnectionService {
    public static let ipConnection2 = "urn:schemas-upnp-org:service:WANIPConnection:2"
    public static let ipConnection1 = "urn:schemas-upnp-org:service:WANIPConnection:1"
    public static let pppConnection1 = "urn:schemas-upnp-org:service:WANPPPConnection:1"

    /// Most preferred first.
    public static let all = [ipConnection2, ipConnection1, pppConnection1]

    /// Lower is better; nil for a service type that is not a WAN connection service.
    public static func preference(of serviceType: String) -> Int? {
        let trimmed = serviceType.trimmingASCIIWhitespace
        return all.firstIndex { $0.equalsIgnoringASCIICase(trimmed) }
    }
}

/// An SSDP `M-SEARCH` (UPnP Device Architecture 1.1, 1.3.2).
public struct SSDPSearchRequest: Sendable, Hashable {
    public static let multicastAddress = IPAddress(ipv4: 0xEFFF_FFFA)  // 239.255.255.250
    public static let port: UInt16 = 1900

    /// `ST`: what to search for, e.g. `WANConnectionService.ipConnection2`.
    public var searchTarget: String
    /// `MX`, in seconds: devices spread their answers over this long. Clamped to the 1...5 the
    /// architecture allows, since some devices ignore a search with any other value.
    public var maximumWait: Int
    /// `USER-AGENT`, if any.
    public var userAgent: String?

    public init(searchTarget: String, maximumWait: Int = 1, userAgent: String? = nil) {
        self.searchTarget = searchTarget
        self.maximumWait = maximumWait
        self.userAgent = userAgent
    }

    /// The datagram. Header values have line ends and other control characters removed, so that nothing
    /// put in a value can add a header.
    public var bytes: [UInt8] {
        var lines = [
            "M-SEARCH * HTTP/1.1",
            "HOST: 239.255.255.250:1900",
            "MAN: \"ssdp:discover\"",
            "MX: \(min(max(maximumWait, 1), 5))",
            "ST: \(Self.headerValue(searchTarget))",
        ]
        if let userAgent {
            lines.append("USER-AGENT: \(Self.headerValue(userAgent))")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    static func headerValue(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }
}

/// A device's unicast answer to an `M-SEARCH`.
public struct SSDPResponse: Sendable, Hashable {
    /// Larger answers are refused: real ones are a few hundred bytes, and one datagram cannot be split.
    public static let maximumSize = 8192

    /// `LOCATION`: the URL of the device description, as sent (trimmed).
    public var location: String
    /// `ST`: the search target the answer is for.
    public var searchTarget: String?
    /// `USN`.
    public var uniqueServiceName: String?
    /// `max-age` from `CACHE-CONTROL`, in seconds.
    public var maximumAge: Int?
    /// `SERVER`: the device's operating system and UPnP stack, useful in logs.
    public var server: String?

    public init(
        location: String, searchTarget: String? = nil, uniqueServiceName: String? = nil, maximumAge: Int? = nil,
        server: String? = nil
    ) {
        self.location = location
        self.searchTarget = searchTarget
        self.uniqueServiceName = uniqueServiceName
        self.maximumAge = maximumAge
        self.server = server
    }

    /// Decodes a datagram received after a search. Anything that is not a `200 OK` answer with a `LOCATION`
    /// is an error: NOTIFY announcements and other searchers' M-SEARCHes arrive on the same socket.
    public init(decoding bytes: [UInt8]) throws(SSDPDecodingError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge(bytes.count) }
        if let control = bytes.firstIndex(where: {
            $0 < 0x20 && $0 != ASCII.tab && $0 != ASCII.carriageReturn && $0 != ASCII.lineFeed
        }) {
            throw .controlCharacter(offset: control)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }

        // "\r\n" is one Character, so both line ends are separators.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\r\n" || $0 == "\n" }.makeIterator()
        guard let statusLine = lines.next().map(String.init), !statusLine.isEmpty else {
            throw .notAResponse("")
        }
        try Self.checkStatusLine(statusLine)

        var location: String?
        var response = SSDPResponse(location: "")
        var headerCount = 0
        while let line = lines.next() {
            if line.isEmpty { break }
            headerCount += 1
            guard headerCount <= 64 else { throw .malformedHeader("more than 64 headers") }
            guard let colon = line.firstIndex(of: ":") else {
                throw .malformedHeader(String(line.prefix(80)))
            }
            let name = line[..<colon]
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenCharacter) else {
                throw .malformedHeader(String(line.prefix(80)))
            }
            let value = String(line[line.index(after: colon)...].trimmingASCIIWhitespace)
            if name.equalsIgnoringASCIICase("LOCATION") {
                guard location == nil || location == value else { throw .conflictingLocations }
                location = value
            } else if name.equalsIgnoringASCIICase("ST") {
                response.searchTarget = value
            } else if name.equalsIgnoringASCIICase("USN") {
                response.uniqueServiceName = value
            } else if name.equalsIgnoringASCIICase("SERVER") {
                response.server = value
            } else if name.equalsIgnoringASCIICase("CACHE-CONTROL") {
                response.maximumAge = Self.maximumAge(in: value)
            }
        }
        guard let location, !location.isEmpty else { throw .missingLocation }
        response.location = location
        self = response
    }

    private static func checkStatusLine(_ line: String) throws(SSDPDecodingError) {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1.") else {
            throw .notAResponse(String(line.prefix(80)))
        }
        guard let status = String.parseDecimal(parts[1], as: UInt16.self), parts[1].utf8.count == 3 else {
            throw .notAResponse(String(line.prefix(80)))
        }
        guard status == 200 else { throw .status(Int(status)) }
    }

    /// `max-age=120` among the `CACHE-CONTROL` directives; absent or unreadable is nil, since the
    /// client does not depend on it.
    private static func maximumAge(in value: String) -> Int? {
        for directive in value.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingASCIIWhitespace.equalsIgnoringASCIICase("max-age") else {
                continue
            }
            return String.parseDecimal(parts[1].trimmingASCIIWhitespace, as: UInt32.self).map { Int($0) }
        }
        return nil
    }

    /// RFC 9110 token characters: visible ASCII except separators.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        return !"\"(),/:;<=>?@[\\]{}".utf8.contains(byte)
    }
}

/// Why a datagram is not a usable SSDP answer.
public enum SSDPDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooLarge(Int)
    case notUTF8
    /// A control character other than tab and line ends (binary junk).
    case controlCharacter(offset: Int)
    /// The first line is not an HTTP status line (a NOTIFY or M-SEARCH, or junk); carries the line.
    case notAResponse(String)
    /// An HTTP answer with a status other than 200.
    case status(Int)
    case malformedHeader(String)
    case missingLocation
    /// Two different `LOCATION` headers: which description the device means cannot be told.
    case conflictingLocations

    public var description: String {
        switch self {
        case .tooLarge(let size): "SSDP answer of \(size) bytes is larger than \(SSDPResponse.maximumSize)"
        case .notUTF8: "SSDP answer is not UTF-8 text"
        case .controlCharacter(let offset): "SSDP answer has a control character at byte \(offset)"
        case .notAResponse(let line): "not an SSDP answer (first line \"\(line)\")"
        case .status(let status): "SSDP answer with HTTP status \(status)"
        case .malformedHeader(let line): "malformed SSDP header line \"\(line)\""
        case .missingLocation: "SSDP answer without LOCATION"
        case .conflictingLocations: "SSDP answer with two different LOCATION headers"
        }
    }
}
