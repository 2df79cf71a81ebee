import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NetworkAddresses
import UPnP

/// One request on a fresh connection, read to the end of the answer, within an overall deadline. The
/// connection is closed however it ends: `executeThenClose` on the way out, and the deadline or the caller's
/// cancellation make the reading side end early.
struct HTTPExchange: Sendable {
    var request: HTTPRequest
    var endpoint: HTTPEndpoint
    var source: IPAddress?
    var timeout: Duration
    var maximumResponseSize: Int
    var logger: Logger

    /// The transport writes these itself; a caller's copy would make a second, conflicting header.
    static let transportHeaders: Set<String> = ["host", "content-length", "connection", "transfer-encoding"]

    func run(on eventLoopGroup: any EventLoopGroup) async throws -> HTTPResponse {
        try Self.validate(request)
        let remote = try SocketAddress.make(endpoint.host, port: endpoint.port)
        let local: SocketAddress?
        if let source {
            guard source.family == endpoint.host.family else {
                throw UPnPNetworkError.connection("cannot reach \(endpoint) from \(source): the address families differ")
            }
            local = try SocketAddress.make(source, port: 0)
        } else {
            local = nil
        }
        do {
            return try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
                group.addTask { try await exchange(remote: remote, local: local, eventLoopGroup: eventLoopGroup) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw UPnPNetworkError.timedOut
                }
                defer { group.cancelAll() }
                guard let response = try await group.next() else { throw UPnPNetworkError.timedOut }
                return response
            }
        } catch {
            // Whatever the children threw on their way out of a cancellation is noise.
            if Task.isCancelled { throw CancellationError() }
            logger.debug(
                "HTTP exchange failed",
                metadata: ["endpoint": "\(endpoint)", "target": "\(request.target)", "error": "\(error)"]
            )
            throw error
        }
    }

    private var action: String {
        source.map { "connecting to \(endpoint) from \($0)" } ?? "connecting to \(endpoint)"
    }

    private func exchange(remote: SocketAddress, local: SocketAddress?, eventLoopGroup: any EventLoopGroup)
        async throws -> HTTPResponse
    {
        var bootstrap = ClientBootstrap(group: eventLoopGroup).connectTimeout(TimeAmount(timeout))
        if let local { bootstrap = bootstrap.bind(to: local) }
        // Headers beyond the response limit are refused by the parser itself (as `headerOverflow`).
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = min(limits.maxHeaderFieldSize, maximumResponseSize)
        limits.maxHeaderListSize = min(limits.maxHeaderListSize, maximumResponseSize)
        let decoderLimits = limits

        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await bootstrap.connect(to: remote) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        HTTPRequestEncoder(),
                        ByteToMessageHandler(HTTPResponseDecoder(limitConfiguration: decoderLimits))
                    )
                    return try NIOAsyncChannel(wrappingChannelSynchronously: channel)
                }
            }
        } catch {
            throw SocketErrors.networkError(error, while: action)
        }

        let head = requestHead()
        let body = request.body
        let endpoint = self.endpoint
        let limit = maximumResponseSize
        return try await channel.executeThenClose { inbound, outbound in
            do {
                try await outbound.write(.head(head))
                if !body.isEmpty {
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                }
                try await outbound.write(.end(nil))
            } catch {
                throw SocketErrors.networkError(error, while: "sending the request to \(endpoint)")
            }
            var assembler = ResponseAssembler(limit: limit)
            do {
                for try await part in inbound {
                    if let response = try assembler.consume(part) { return response }
                }
            } catch let error as HTTPParserError {
                if case .headerOverflow = error { throw UPnPNetworkError.responseTooLarge(limit: limit) }
                throw SocketErrors.networkError(error, while: "reading the answer from \(endpoint)")
            } catch {
                throw SocketErrors.networkError(error, while: "reading the answer from \(endpoint)")
            }
            try Task.checkCancellation()
            throw assembler.endedEarly(endpoint: endpoint)
        }
    }

    private func requestHead() -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.description)
        for header in request.headers where !Self.transportHeaders.contains(header.name.lowercased()) {
            headers.add(name: header.name, value: header.value)
        }
        headers.add(name: "Content-Length", value: String(request.body.count))
        headers.add(name: "Connection", value: "close")
        return HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: request.target, headers: headers
        )
    }

    /// A request line or header with a line break in it would smuggle a second request onto the wire.
    static func validate(_ request: HTTPRequest) throws(UPnPNetworkError) {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(isTokenByte) else {
            throw .connection("refusing to send the invalid HTTP method \"\(request.method)\"")
        }
        guard !request.target.isEmpty, request.target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .connection("refusing to send the invalid request target \"\(request.target)\"")
        }
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(isTokenByte),
                header.value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) })
            else {
                throw .connection("refusing to send the invalid header \"\(header.name)\"")
            }
        }
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// Collects the parts NIO's decoder produced (which already undid chunking and found the end of a
/// Content-Length or close-delimited body) into one response, counting the body against the limit.
struct ResponseAssembler {
    let limit: Int
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
    }

    /// The response once its end has been seen.
    mutating func consume(_ part: HTTPClientResponsePart) throws(UPnPNetworkError) -> HTTPResponse? {
        switch part {
        case .head(let head):
            // Refuse a declared oversize at once rather than after reading it.
            if let declared = head.headers.first(name: "content-length").flatMap(Int.init), declared > limit {
                throw .responseTooLarge(limit: limit)
            }
            self.head = head
            return nil
        case .body(let buffer):
            guard head != nil else { throw .malformedResponse("body before the status line") }
            guard buffer.readableBytes <= limit - body.count else { throw .responseTooLarge(limit: limit) }
            body.append(contentsOf: buffer.readableBytesView)
            return nil
        case .end:
            guard let head else { throw .malformedResponse("end of a response that had no status line") }
            return HTTPResponse(
                status: Int(head.status.code),
                headers: head.headers.map { HTTPHeader($0.name, $0.value) },
                body: body
            )
        }
    }

    /// The error for a connection that ended before the response did.
    func endedEarly(endpoint: HTTPEndpoint) -> UPnPNetworkError {
        head == nil
            ? .connection("\(endpoint) closed the connection without answering")
            : .malformedResponse("the connection closed before the response was complete")
    }
}
