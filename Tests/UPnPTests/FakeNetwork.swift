import NetworkAddresses
import Synchronization
import UPnP

/// An in-memory `UPnPNetwork`: searches answer with canned datagrams, HTTP requests with a canned handler,
/// and everything asked of it is recorded.
final class FakeNetwork: UPnPNetwork {
    struct Search: Sendable {
        var request: String
        var interface: String
        var source: IPAddress?
        var timeout: Duration

        /// The `ST:` value of the request.
        var searchTarget: String? {
            request.split(separator: "\r\n").first { $0.hasPrefix("ST: ") }.map { String($0.dropFirst(4)) }
        }
    }

    struct Exchange: Sendable {
        var request: HTTPRequest
        var endpoint: HTTPEndpoint
        var source: IPAddress?
        var timeout: Duration
    }

    struct State {
        var searches: [Search] = []
        var exchanges: [Exchange] = []
        var endedSearches = 0
    }

    let state = Mutex(State())
    /// Datagrams to answer a search with `ST` (the argument).
    let answers: @Sendable (String) -> [SSDPDatagram]
    /// Leaves search streams open after the answers (as a real search does until its timeout) instead of
    /// finishing them, so that a test sees whether discovery waits.
    let keepSearchesOpen: Bool
    let searchError: UPnPNetworkError?
    let http: @Sendable (HTTPRequest, HTTPEndpoint) throws -> HTTPResponse

    init(
        answers: @escaping @Sendable (String) -> [SSDPDatagram] = { _ in [] }, keepSearchesOpen: Bool = false,
        searchError: UPnPNetworkError? = nil,
        http: @escaping @Sendable (HTTPRequest, HTTPEndpoint) throws -> HTTPResponse = { _, _ in
            HTTPResponse(status: 404)
        }
    ) {
        self.answers = answers
        self.keepSearchesOpen = keepSearchesOpen
        self.searchError = searchError
        self.http = http
    }

    var searches: [Search] { state.withLock { $0.searches } }
    var exchanges: [Exchange] { state.withLock { $0.exchanges } }
    var endedSearches: Int { state.withLock { $0.endedSearches } }

    func search(
        _ request: [UInt8], interface: String, source: IPAddress?, timeout: Duration
    )
        -> AsyncThrowingStream<SSDPDatagram, any Error>
    {
        let search = Search(
            request: String(decoding: request, as: UTF8.self), interface: interface, source: source, timeout: timeout)
        state.withLock { $0.searches.append(search) }
        let (stream, continuation) = AsyncThrowingStream<SSDPDatagram, any Error>.makeStream()
        continuation.onTermination = { _ in self.state.withLock { $0.endedSearches += 1 } }
        if let searchError {
            continuation.finish(throwing: searchError)
            return stream
        }
        for datagram in answers(search.searchTarget ?? "") {
            continuation.yield(datagram)
        }
        if !keepSearchesOpen { continuation.finish() }
        return stream
    }

    func send(
        _ request: HTTPRequest, to endpoint: HTTPEndpoint, source: IPAddress?, timeout: Duration
    )
        async throws -> HTTPResponse
    {
        state.withLock {
            $0.exchanges.append(Exchange(request: request, endpoint: endpoint, source: source, timeout: timeout))
        }
        return try http(request, endpoint)
    }
}

enum TestAddresses {
    static let gateway = IPAddress(ipv4: 0xC633_64FE)  // 198.51.100.254
    static let node = IPAddress(ipv4: 0xC633_640B)  // 198.51.100.11
    static let vip = IPAddress(ipv4: 0xC633_6464)  // 198.51.100.100
    static let gatewayControl = HTTPEndpoint(host: gateway, port: 5000)
}

extension SSDPDatagram {
    /// An SSDP answer from the gateway naming `location`.
    static func answer(
        location: String, searchTarget: String = WANConnectionService.ipConnection2,
        from sender: IPAddress = TestAddresses.gateway
    )
        -> SSDPDatagram
    {
        let text =
            "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: \(searchTarget)\r\nLOCATION: \(location)\r\n\r\n"
        return SSDPDatagram(bytes: Array(text.utf8), sender: sender, senderPort: 1900)
    }
}

extension InternetGateway {
    static let miniupnpd = InternetGateway(
        serviceType: WANConnectionService.ipConnection2, control: TestAddresses.gatewayControl,
        controlPath: "/ctl/IPConn",
        descriptionLocation: "http://198.51.100.254:5000/rootDesc.xml")
}

extension HTTPRequest {
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}
