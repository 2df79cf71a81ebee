import Logging
import NIOCore
import NIOPosix
import NetworkAddresses
import UPnP

/// `UPnPNetwork` over real sockets: SSDP as UDP datagrams out of one interface, HTTP as one TCP connection
/// per request. Both only move bytes; what the bytes mean is the `UPnP` module's business.
public struct SocketUPnPNetwork: UPnPNetwork {
    /// The SSDP multicast group and port (UPnP Device Architecture 1.1, §1.1.2).
    public static let ssdpMulticast = HTTPEndpoint(host: IPAddress(ipv4: 0xEFFF_FFFA), port: 1900)
    /// A gateway's description and SOAP answers are a few kilobytes; anything far beyond that is not a gateway
    /// worth waiting for, and must not make the agent buffer without bound.
    public static let defaultMaximumResponseSize = 256 * 1024
    /// SSDP answers are single datagrams of a few hundred bytes; bigger ones are dropped unread.
    public static let maximumDatagramSize = 8 * 1024
    /// SSDP says a TTL of 4 by default; 2 reaches the gateway of the node's own link (and one more hop, for a
    /// gateway behind a small router) without flooding a larger network.
    static let multicastTimeToLive: UInt8 = 2
    /// Answers wait here until the consumer reads them; a search gets one answer per gateway service, so this
    /// only bounds what a flood could cost.
    static let maximumBufferedDatagrams = 256

    let group: any EventLoopGroup
    let searchDestination: HTTPEndpoint
    let maximumResponseSize: Int
    let logger: Logger

    /// - Parameters:
    ///   - searchDestination: where searches are sent; the SSDP group unless a test points it at a unicast
    ///     responder.
    ///   - maximumResponseSize: the largest HTTP answer (header section and body each) accepted before
    ///     `UPnPNetworkError.responseTooLarge`.
    public init(
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        searchDestination: HTTPEndpoint = SocketUPnPNetwork.ssdpMulticast,
        maximumResponseSize: Int = SocketUPnPNetwork.defaultMaximumResponseSize,
        logger: Logger = Logger(label: "kube-vip.upnp")
    ) {
        self.group = eventLoopGroup
        self.searchDestination = searchDestination
        self.maximumResponseSize = max(1, maximumResponseSize)
        self.logger = logger
    }

    public func search(_ request: [UInt8], interface: String, source: IPAddress?, timeout: Duration)
        -> AsyncThrowingStream<SSDPDatagram, any Error>
    {
        SSDPSearch(
            request: request, interface: interface, source: source, destination: searchDestination,
            timeout: timeout, logger: logger
        ).start(on: group)
    }

    public func send(_ request: HTTPRequest, to endpoint: HTTPEndpoint, source: IPAddress?, timeout: Duration)
        async throws -> HTTPResponse
    {
        try await HTTPExchange(
            request: request, endpoint: endpoint, source: source, timeout: timeout,
            maximumResponseSize: maximumResponseSize, logger: logger
        ).run(on: group)
    }
}
