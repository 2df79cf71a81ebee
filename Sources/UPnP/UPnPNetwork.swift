import NetworkAddresses

/// The two exchanges UPnP needs from the network, as a seam: the client above it is pure protocol logic that
/// tests drive with canned answers, and the socket implementation (`UPnPSockets`) is tested on its own.
public protocol UPnPNetwork: Sendable {
    /// Multicasts `request` to 239.255.255.250:1900 out of `interface` (from `source` when given, so that
    /// gateways answer that address), and yields every datagram answered until `timeout` has passed. Ending
    /// the iteration early stops the search.
    func search(_ request: [UInt8], interface: String, source: IPAddress?, timeout: Duration)
        -> AsyncThrowingStream<SSDPDatagram, any Error>

    /// One HTTP/1.1 request on a fresh connection, from `source` when given: gateways in secure mode
    /// (miniupnpd's default on most routers) only map ports for the address a request comes from.
    func send(_ request: HTTPRequest, to endpoint: HTTPEndpoint, source: IPAddress?, timeout: Duration)
        async throws -> HTTPResponse
}

/// A UDP datagram received in answer to a search.
public struct SSDPDatagram: Sendable, Hashable {
    public var bytes: [UInt8]
    public var sender: IPAddress
    public var senderPort: UInt16

    public init(bytes: [UInt8], sender: IPAddress, senderPort: UInt16) {
        self.bytes = bytes
        self.sender = sender
        self.senderPort = senderPort
    }
}

/// Where an HTTP request goes. Gateways give literal addresses in their URLs; host names are refused rather
/// than resolved, so that discovery never depends on DNS.
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: IPAddress
    public var port: UInt16

    public init(host: IPAddress, port: UInt16) {
        self.host = host
        self.port = port
    }

    public var description: String { host.family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    /// Path and query, as sent on the request line.
    public var target: String
    /// Headers beyond `Host`, `Content-Length` and `Connection`, which the transport writes itself.
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(method: String, target: String, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why an exchange failed below the UPnP layer.
public enum UPnPNetworkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No complete answer within the time allowed.
    case timedOut
    /// The answer was longer than the transport accepts (a gateway's answers are a few kilobytes).
    case responseTooLarge(limit: Int)
    /// The connection or socket could not be set up or broke (refused, unreachable, reset, bind failed).
    case connection(String)
    /// The bytes were not an HTTP response.
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .timedOut: "no answer in time"
        case .responseTooLarge(let limit): "the answer was longer than \(limit) bytes"
        case .connection(let reason): reason
        case .malformedResponse(let reason): "malformed HTTP response: \(reason)"
        }
    }
}
