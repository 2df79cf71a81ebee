import NIOCore
import NetworkAddresses
import Testing
import UPnP
import UPnPSockets

@Suite("UPnP sockets: HTTP exchange", .timeLimit(.minutes(1)))
struct HTTPExchangeTests {
    let network = SocketUPnPNetwork()
    let soap = HTTPRequest(
        method: "POST", target: "/ctl/IPConn",
        headers: [
            HTTPHeader("Content-Type", "text/xml; charset=\"utf-8\""),
            HTTPHeader("SOAPAction", "\"urn:schemas-upnp-org:service:WANIPConnection:1#GetExternalIPAddress\""),
        ],
        body: Array("<s:Envelope/>".utf8)
    )

    @Test func contentLengthBodyIsReadToItsLength() async throws {
        let answer = CannedAnswer.text("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5\r\n\r\nhello")
        let response = try await CannedHTTPServer.with(answer: answer) { server in
            try await network.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
        }
        #expect(response.status == 200)
        #expect(response.body == Array("hello".utf8))
        #expect(response.headers.contains(HTTPHeader("Content-Type", "text/xml")))
    }

    @Test func requestCarriesHostLengthCloseAndTheCallersHeaders() async throws {
        let answer = CannedAnswer.text("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        let request = try await CannedHTTPServer.with(answer: answer) { server in
            _ = try await network.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
            let text = String(decoding: try #require(server.requests.first), as: UTF8.self)
            return (text, server.port)
        }
        let (text, port) = request
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "POST /ctl/IPConn HTTP/1.1")
        #expect(lines.contains("Host: 127.0.0.1:\(port)"))
        #expect(lines.contains("Content-Length: 13"))
        #expect(lines.contains("Connection: close"))
        #expect(lines.contains("SOAPAction: \"urn:schemas-upnp-org:service:WANIPConnection:1#GetExternalIPAddress\""))
        #expect(text.hasSuffix("\r\n\r\n<s:Envelope/>"))
    }

    @Test func callerCopiesOfTransportHeadersAreNotSentTwice() async throws {
        let answer = CannedAnswer.text("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        var request = HTTPRequest(method: "GET", target: "/rootDesc.xml")
        request.headers = [HTTPHeader("Host", "elsewhere"), HTTPHeader("connection", "keep-alive")]
        let text = try await CannedHTTPServer.with(answer: answer) { server in
            _ = try await network.send(request, to: server.endpoint, source: nil, timeout: .seconds(5))
            return String(decoding: try #require(server.requests.first), as: UTF8.self).lowercased()
        }
        #expect(!text.contains("elsewhere"))
        #expect(!text.contains("keep-alive"))
        #expect(text.split(separator: "\r\n").filter { $0.hasPrefix("host:") }.count == 1)
    }

    @Test func chunkedBodyIsReassembled() async throws {
        let answer = CannedAnswer.text(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"
        )
        let response = try await CannedHTTPServer.with(answer: answer) { server in
            try await network.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
        }
        #expect(response.body == Array("hello, world".utf8))
    }

    @Test func closeDelimitedBodyIsReadUntilTheServerCloses() async throws {
        let answer = CannedAnswer.text("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<root>description</root>", thenClose: true)
        let response = try await CannedHTTPServer.with(answer: answer) { server in
            try await network.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
        }
        #expect(response.body == Array("<root>description</root>".utf8))
    }

    @Test func errorStatusIsAnAnswerNotAnError() async throws {
        let fault = "<s:Envelope><UPnPError><errorCode>714</errorCode></UPnPError></s:Envelope>"
        let answer = CannedAnswer.text("HTTP/1.1 500 Internal Server Error\r\nContent-Length: \(fault.utf8.count)\r\n\r\n\(fault)")
        let response = try await CannedHTTPServer.with(answer: answer) { server in
            try await network.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
        }
        #expect(response.status == 500)
        #expect(response.body == Array(fault.utf8))
    }

    @Test func declaredLengthOverTheLimitIsRefused() async throws {
        let small = SocketUPnPNetwork(maximumResponseSize: 1024)
        let answer = CannedAnswer.text("HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n" + String(repeating: "x", count: 4096))
        try await CannedHTTPServer.with(answer: answer) { server in
            await #expect(throws: UPnPNetworkError.responseTooLarge(limit: 1024)) {
                try await small.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
            }
            #expect(await server.connectionEnded(within: .seconds(15)))
        }
    }

    @Test func chunkedBodyOverTheLimitIsRefused() async throws {
        let small = SocketUPnPNetwork(maximumResponseSize: 1024)
        let chunk = String(repeating: "y", count: 512)
        let chunks = String(repeating: "200\r\n\(chunk)\r\n", count: 4)
        let answer = CannedAnswer.text("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(chunks)0\r\n\r\n")
        try await CannedHTTPServer.with(answer: answer) { server in
            await #expect(throws: UPnPNetworkError.responseTooLarge(limit: 1024)) {
                try await small.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
            }
        }
    }

    @Test func headerSectionOverTheLimitIsRefused() async throws {
        let small = SocketUPnPNetwork(maximumResponseSize: 1024)
        let answer = CannedAnswer.text(
            "HTTP/1.1 200 OK\r\nX-Padding: \(String(repeating: "z", count: 2048))\r\nContent-Length: 0\r\n\r\n"
        )
        try await CannedHTTPServer.with(answer: answer) { server in
            await #expect(throws: UPnPNetworkError.responseTooLarge(limit: 1024)) {
                try await small.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
            }
        }
    }

    @Test func silentServerTimesOutAndTheConnectionIsClosed() async throws {
        try await CannedHTTPServer.with(answer: .silence) { server in
            let start = ContinuousClock.now
            await #expect(throws: UPnPNetworkError.timedOut) {
                try await network.send(soap, to: server.endpoint, source: nil, timeout: .milliseconds(300))
            }
            #expect(ContinuousClock.now - start < .seconds(15), "the 300 ms limit ends it, not the server")
            #expect(await server.connectionEnded(within: .seconds(15)))
        }
    }

    @Test func cancellingTheCallerClosesTheConnection() async throws {
        try await CannedHTTPServer.with(answer: .silence) { server in
            let network = self.network
            let soap = self.soap
            let exchange = Task {
                try await network.send(soap, to: server.endpoint, source: nil, timeout: .seconds(30))
            }
            // Cancel only once the request has arrived, so the exchange is past connecting.
            let deadline = ContinuousClock.now + .seconds(20)
            while server.requests.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.requests.count == 1)
            exchange.cancel()
            await #expect(throws: CancellationError.self) { try await exchange.value }
            #expect(await server.connectionEnded(within: .seconds(15)))
        }
    }

    @Test func garbageIsAMalformedResponse() async throws {
        let answer = CannedAnswer.text("this is not HTTP at all\r\n\r\n", thenClose: true)
        try await CannedHTTPServer.with(answer: answer) { server in
            let error = await #expect(throws: UPnPNetworkError.self) {
                try await network.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
            }
            guard case .malformedResponse = error else {
                Issue.record("expected a malformed response, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func bodyCutShortIsAMalformedResponse() async throws {
        let answer = CannedAnswer.text("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", thenClose: true)
        try await CannedHTTPServer.with(answer: answer) { server in
            let error = await #expect(throws: UPnPNetworkError.self) {
                try await network.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
            }
            guard case .malformedResponse = error else {
                Issue.record("expected a malformed response, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func hangingUpWithoutAnswerIsAConnectionError() async throws {
        try await CannedHTTPServer.with(answer: .hangUp) { server in
            let error = await #expect(throws: UPnPNetworkError.self) {
                try await network.send(soap, to: server.endpoint, source: nil, timeout: .seconds(5))
            }
            guard case .connection = error else {
                Issue.record("expected a connection error, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func refusedConnectionNamesTheErrno() async throws {
        // A port that was just in use and is now closed refuses connections.
        let port = try await CannedHTTPServer.with(answer: .silence) { $0.port }
        let endpoint = HTTPEndpoint(host: try .literal("127.0.0.1"), port: port)
        let error = await #expect(throws: UPnPNetworkError.self) {
            try await network.send(soap, to: endpoint, source: nil, timeout: .seconds(5))
        }
        guard case .connection(let reason) = error else {
            Issue.record("expected a connection error, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("Connection refused"))
        #expect(reason.contains("127.0.0.1:\(port)"))
    }

    @Test func sourceAddressIsTheConnectionsPeer() async throws {
        let answer = CannedAnswer.text("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        // 127.0.0.2 is local (all of 127/8 is) but never chosen by default, so seeing it proves the bind.
        let peers = try await CannedHTTPServer.with(answer: answer) { server in
            _ = try await network.send(soap, to: server.endpoint, source: try .literal("127.0.0.2"), timeout: .seconds(5))
            return server.peers
        }
        #expect(peers.map(\.ipAddress) == ["127.0.0.2"])
    }

    @Test func sourceThatIsNotLocalIsAConnectionError() async throws {
        try await CannedHTTPServer.with(answer: .silence) { server in
            let error = await #expect(throws: UPnPNetworkError.self) {
                try await network.send(soap, to: server.endpoint, source: try .literal("203.0.113.7"), timeout: .seconds(5))
            }
            guard case .connection(let reason) = error else {
                Issue.record("expected a connection error, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("Cannot assign requested address"))
            #expect(reason.contains("203.0.113.7"))
            #expect(server.peers.isEmpty)
        }
    }

    @Test func headerWithALineBreakIsNeverSent() async throws {
        var request = soap
        request.headers.append(HTTPHeader("SOAPAction", "x\r\nInjected: yes"))
        try await CannedHTTPServer.with(answer: .silence) { server in
            await #expect(throws: UPnPNetworkError.self) {
                try await network.send(request, to: server.endpoint, source: nil, timeout: .seconds(5))
            }
            #expect(server.peers.isEmpty)
        }
    }
}
