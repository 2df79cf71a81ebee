import NIOCore
import NIOPosix
import NetworkAddresses
import Synchronization
import Testing
import UPnP

/// A value several handlers and the test share across threads.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<T>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}

/// What the canned server does once it has read a whole request.
enum CannedAnswer: Sendable {
    /// Writes these bytes, then closes the connection or leaves it open.
    case bytes([UInt8], thenClose: Bool)
    /// Never answers and never closes: only the client can end the connection.
    case silence
    /// Closes the connection without writing anything.
    case hangUp

    static func text(_ text: String, thenClose: Bool = false) -> CannedAnswer {
        .bytes(Array(text.utf8), thenClose: thenClose)
    }
}

/// A TCP server on 127.0.0.1 that answers every request with canned bytes, and records what it saw: the
/// request bytes, the peer address, and each connection's end (so that tests can see the client close).
final class CannedHTTPServer: Sendable {
    struct Seen: Sendable {
        var requests: [[UInt8]] = []
        var peers: [SocketAddress] = []
    }

    let port: UInt16
    private let seen: Shared<Seen>
    private let closes: AsyncStream<Void>

    private init(port: UInt16, seen: Shared<Seen>, closes: AsyncStream<Void>) {
        self.port = port
        self.seen = seen
        self.closes = closes
    }

    var endpoint: HTTPEndpoint { HTTPEndpoint(host: IPAddress(ipv4: 0x7F00_0001), port: port) }
    var requests: [[UInt8]] { seen.withLock { $0.requests } }
    var peers: [SocketAddress] { seen.withLock { $0.peers } }

    /// Waits for the next connection to end; false if none ended within `limit`.
    func connectionEnded(within limit: Duration) async -> Bool {
        let closes = self.closes
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                var iterator = closes.makeAsyncIterator()
                return await iterator.next() != nil
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Runs the server for the length of `body`; the listener and every open connection are closed however
    /// `body` ends.
    @discardableResult
    static func with<T>(answer: CannedAnswer, _ body: (CannedHTTPServer) async throws -> T) async throws -> T {
        let seen = Shared(Seen())
        let connections = Shared<[any Channel]>([])
        let (closes, closed) = AsyncStream.makeStream(of: Void.self)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.withLock { $0.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        CannedConnectionHandler(answer: answer, seen: seen, closed: closed)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = CannedHTTPServer(
            port: UInt16(listener.localAddress?.port ?? 0), seen: seen, closes: closes
        )
        func shutdown() async {
            try? await listener.close()
            for connection in connections.withLock({ $0 }) { try? await connection.close() }
        }
        do {
            let result = try await body(server)
            await shutdown()
            return result
        } catch {
            await shutdown()
            throw error
        }
    }
}

private final class CannedConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answer: CannedAnswer
    private let seen: Shared<CannedHTTPServer.Seen>
    private let closed: AsyncStream<Void>.Continuation
    private var received: [UInt8] = []
    private var answered = false

    init(answer: CannedAnswer, seen: Shared<CannedHTTPServer.Seen>, closed: AsyncStream<Void>.Continuation) {
        self.answer = answer
        self.seen = seen
        self.closed = closed
    }

    func channelActive(context: ChannelHandlerContext) {
        if let peer = context.remoteAddress { seen.withLock { $0.peers.append(peer) } }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.append(contentsOf: Self.unwrapInboundIn(data).readableBytesView)
        guard !answered, let request = Self.completeRequest(received) else { return }
        answered = true
        seen.withLock { $0.requests.append(request) }
        let channel = context.channel
        switch answer {
        case .bytes(let bytes, let thenClose):
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: written)
            if thenClose { written.futureResult.whenComplete { _ in channel.close(promise: nil) } }
        case .silence:
            break
        case .hangUp:
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed.yield()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// The request once its header section and Content-Length body have all arrived.
    static func completeRequest(_ bytes: [UInt8]) -> [UInt8]? {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let headerText = String(decoding: bytes[..<end], as: UTF8.self)
        let length =
            headerText.split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int(String($0.dropFirst("content-length:".count).filter { !$0.isWhitespace })) } ?? 0
        let total = end + separator.count + length
        return bytes.count >= total ? Array(bytes[..<total]) : nil
    }
}

/// A UDP responder on 127.0.0.1 standing in for gateways: every datagram it receives is recorded and answered
/// with the canned datagrams, each from the responder's port to the sender.
final class UDPResponder: Sendable {
    struct Received: Sendable {
        var bytes: [UInt8]
        var sender: SocketAddress
    }

    let port: UInt16
    private let received: Shared<[Received]>

    private init(port: UInt16, received: Shared<[Received]>) {
        self.port = port
        self.received = received
    }

    var endpoint: HTTPEndpoint { HTTPEndpoint(host: IPAddress(ipv4: 0x7F00_0001), port: port) }
    var datagrams: [Received] { received.withLock { $0 } }

    @discardableResult
    static func with<T>(answers: [[UInt8]], _ body: (UDPResponder) async throws -> T) async throws -> T {
        let received = Shared<[Received]>([])
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UDPResponderHandler(answers: answers, received: received)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let responder = UDPResponder(port: UInt16(channel.localAddress?.port ?? 0), received: received)
        do {
            let result = try await body(responder)
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }
}

private final class UDPResponderHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let answers: [[UInt8]]
    private let received: Shared<[UDPResponder.Received]>

    init(answers: [[UInt8]], received: Shared<[UDPResponder.Received]>) {
        self.answers = answers
        self.received = received
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        received.withLock {
            $0.append(.init(bytes: Array(envelope.data.readableBytesView), sender: envelope.remoteAddress))
        }
        for answer in answers {
            let reply = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: answer))
            context.write(Self.wrapOutboundOut(reply), promise: nil)
        }
        context.flush()
    }
}

/// Waits until nothing holds `port` any more, by binding it; false if it is still held after `limit`. Polling
/// is the only way to see a socket's end from outside its process.
func udpPortIsFree(_ port: UInt16, within limit: Duration) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if let channel = try? await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "0.0.0.0", port: Int(port)).get()
        {
            try? await channel.close()
            return true
        }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return false
}

extension IPAddress {
    static func literal(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }
}
