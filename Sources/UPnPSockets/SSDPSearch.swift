import Glibc
import Logging
import NIOCore
import NIOPosix
import NetworkAddresses
import Synchronization
import UPnP

/// One M-SEARCH: a UDP socket that sends the request once and hands every answer to the stream until the
/// deadline. The event loop drives it; no task is needed, and the stream's termination closes the socket.
struct SSDPSearch: Sendable {
    var request: [UInt8]
    var interface: String
    var source: IPAddress?
    var destination: HTTPEndpoint
    var timeout: Duration
    var logger: Logger

    func start(on group: any EventLoopGroup) -> AsyncThrowingStream<SSDPDatagram, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: SSDPDatagram.self, throwing: (any Error).self,
            bufferingPolicy: .bufferingOldest(SocketUPnPNetwork.maximumBufferedDatagrams)
        )
        let plan: Plan
        do {
            plan = try Plan(interface: interface, source: source, destination: destination)
        } catch {
            continuation.finish(throwing: error)
            return stream
        }
        let socket = SearchSocket()
        // Runs when the consumer stops iterating (break, cancellation) as well as after finish: either way
        // nothing reads the socket any more.
        continuation.onTermination = { _ in socket.close() }

        let request = self.request
        let timeout = self.timeout
        let logger = self.logger
        let interface = self.interface
        DatagramBootstrap(group: group)
            // One byte over the limit, so that an oversized datagram shows as oversized instead of arriving
            // silently truncated.
            .channelOption(
                .recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(capacity: SocketUPnPNetwork.maximumDatagramSize + 1)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SearchAnswerHandler(continuation: continuation, logger: logger)
                    )
                }
            }
            .bind(to: plan.local)
            .flatMapErrorThrowing { error in
                throw SocketErrors.networkError(error, while: "binding the SSDP socket to \(plan.localDescription)")
            }
            .flatMap { channel -> EventLoopFuture<Void> in
                guard socket.attach(channel) else {
                    // The consumer was gone before the socket existed.
                    return channel.close()
                }
                return MulticastOptions.apply(to: channel, interfaceIndex: plan.interfaceIndex)
                    .flatMapErrorThrowing { error in
                        throw SocketErrors.networkError(error, while: "setting up multicast on \(interface)")
                    }
                    .flatMap {
                        channel.writeAndFlush(
                            AddressedEnvelope(remoteAddress: plan.destination, data: channel.allocator.buffer(bytes: request))
                        )
                        .flatMapErrorThrowing { error in
                            throw SocketErrors.networkError(
                                error, while: "sending the SSDP search to \(plan.destinationDescription) on \(interface)"
                            )
                        }
                    }
                    .map {
                        logger.debug(
                            "SSDP search sent",
                            metadata: [
                                "interface": "\(interface)", "destination": "\(plan.destinationDescription)",
                                "local": "\(channel.localAddress.map { "\($0)" } ?? "?")",
                            ]
                        )
                        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { socket.close() }
                        channel.closeFuture.whenComplete { _ in deadline.cancel() }
                    }
            }
            .whenFailure { error in
                continuation.finish(throwing: error)
                socket.close()
            }
        return stream
    }

    /// Everything about the socket that can be checked before opening it.
    struct Plan: Sendable {
        var local: SocketAddress
        var localDescription: String
        var destination: SocketAddress
        var destinationDescription: String
        var interfaceIndex: CInt

        init(interface: String, source: IPAddress?, destination: HTTPEndpoint) throws(UPnPNetworkError) {
            if let source, source.family != .ipv4 {
                throw .connection("SSDP search from \(source) is not supported: searches are IPv4 only")
            }
            guard destination.host.family == .ipv4 else {
                throw .connection("SSDP search to \(destination) is not supported: searches are IPv4 only")
            }
            interfaceIndex = try MulticastOptions.interfaceIndex(named: interface)
            let localAddress = source ?? IPAddress(ipv4: 0)
            local = try SocketAddress.make(localAddress, port: 0)
            localDescription = "\(localAddress)"
            self.destination = try SocketAddress.make(destination.host, port: destination.port)
            destinationDescription = destination.description
        }
    }
}

/// The multicast settings of a search socket, apart so that a test can check them on a socket of its own.
enum MulticastOptions {
    static func interfaceIndex(named interface: String) throws(UPnPNetworkError) -> CInt {
        // if_nametoindex would truncate a long name into some other interface's.
        guard !interface.isEmpty, interface.utf8.count < Int(IF_NAMESIZE) else {
            throw .connection("no interface \"\(interface)\"")
        }
        let index = if_nametoindex(interface)
        guard index != 0, let index = CInt(exactly: index) else {
            throw .connection("no interface \"\(interface)\"")
        }
        return index
    }

    /// By index (`ip_mreqn`), not by address: the interface then needs neither an IPv4 address nor a
    /// multicast route, as in a namespace where the only route is the link's own (what `upnpc -m` does too).
    static func apply(to channel: any Channel, interfaceIndex: CInt) -> EventLoopFuture<Void> {
        guard let options = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        var byIndex = ip_mreqn()
        byIndex.imr_ifindex = interfaceIndex
        return options.unsafeSetSocketOption(level: .ip, name: .ip_multicast_if, value: byIndex)
            .flatMap { options.setIPMulticastTTL(SocketUPnPNetwork.multicastTimeToLive) }
            // Our own search looped back would only be one more datagram to ignore.
            .flatMap { options.setIPMulticastLoop(0) }
    }
}

/// The socket as the stream's termination sees it: it may come before the bind has finished, in which case
/// the socket is closed as soon as it exists.
final class SearchSocket: Sendable {
    private enum State {
        case opening
        case open(any Channel)
        case closed
    }

    private let state = Mutex(State.opening)

    /// False when the search already ended; the caller closes the channel then.
    func attach(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard case .opening = state else { return false }
            state = .open(channel)
            return true
        }
    }

    func close() {
        let channel: (any Channel)? = state.withLock { state in
            defer { state = .closed }
            if case .open(let channel) = state { return channel }
            return nil
        }
        channel?.close(promise: nil)
    }
}

/// Hands answers to the stream; the channel closing (deadline, consumer gone, error) ends it.
final class SearchAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let continuation: AsyncThrowingStream<SSDPDatagram, any Error>.Continuation
    private let logger: Logger

    init(continuation: AsyncThrowingStream<SSDPDatagram, any Error>.Continuation, logger: Logger) {
        self.continuation = continuation
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        guard envelope.data.readableBytes <= SocketUPnPNetwork.maximumDatagramSize else {
            logger.debug("SSDP answer over the size limit dropped", metadata: ["sender": "\(envelope.remoteAddress)"])
            return
        }
        guard let sender = IPAddress(socketAddress: envelope.remoteAddress), let port = envelope.remoteAddress.port,
            let senderPort = UInt16(exactly: port)
        else { return }
        let datagram = SSDPDatagram(bytes: Array(envelope.data.readableBytesView), sender: sender, senderPort: senderPort)
        if case .dropped = continuation.yield(datagram) {
            logger.debug("SSDP answer dropped: too many unread answers", metadata: ["sender": "\(sender)"])
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: SocketErrors.networkError(error, while: "receiving SSDP answers"))
        context.close(promise: nil)
    }
}
