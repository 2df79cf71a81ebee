import Foundation
import NIOCore
import NIOPosix
import NetworkAddresses
import Testing
import UPnP

@testable import UPnPSockets

@Suite("UPnP sockets: SSDP search", .timeLimit(.minutes(1)))
struct SSDPSearchTests {
    let mSearch = Array(
        "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n".utf8
    )
    let answerA = Array("HTTP/1.1 200 OK\r\nST: a\r\nLOCATION: http://127.0.0.1:5000/rootDesc.xml\r\n\r\n".utf8)
    let answerB = Array("HTTP/1.1 200 OK\r\nST: b\r\nLOCATION: http://127.0.0.1:5000/rootDesc.xml\r\n\r\n".utf8)

    /// The unicast override stands in for the multicast group; the interface is still set by index (lo).
    func network(to responder: UDPResponder) -> SocketUPnPNetwork {
        SocketUPnPNetwork(searchDestination: responder.endpoint)
    }

    @Test func everyAnswerIsYieldedAndTheStreamEndsAtTheTimeout() async throws {
        try await UDPResponder.with(answers: [answerA, answerB]) { responder in
            let start = ContinuousClock.now
            var answers: [SSDPDatagram] = []
            for try await answer in network(to: responder).search(
                mSearch, interface: "lo", source: nil, timeout: .milliseconds(500)
            ) {
                answers.append(answer)
            }
            let elapsed = ContinuousClock.now - start
            #expect(answers.map(\.bytes) == [answerA, answerB])
            #expect(answers.allSatisfy { $0.sender == IPAddress(ipv4: 0x7F00_0001) && $0.senderPort == responder.port })
            #expect(elapsed >= .milliseconds(450))
            #expect(elapsed < .seconds(15), "ends at its timeout, not never")
            #expect(responder.datagrams.map(\.bytes) == [mSearch])
        }
    }

    @Test func searchIsSentOnceFromTheSourceAddress() async throws {
        try await UDPResponder.with(answers: [answerA]) { responder in
            for try await _ in network(to: responder).search(
                mSearch, interface: "lo", source: try .literal("127.0.0.2"), timeout: .milliseconds(200)
            ) {}
            #expect(responder.datagrams.map(\.sender.ipAddress) == ["127.0.0.2"])
        }
    }

    @Test func breakingOutOfTheLoopClosesTheSocketPromptly() async throws {
        try await UDPResponder.with(answers: [answerA, answerB]) { responder in
            for try await _ in network(to: responder).search(
                mSearch, interface: "lo", source: nil, timeout: .seconds(60)
            ) {
                break
            }
            let port = try #require(responder.datagrams.first?.sender.port)
            #expect(await udpPortIsFree(UInt16(port), within: .seconds(15)))
        }
    }

    @Test func cancellingTheConsumerEndsTheSearch() async throws {
        try await UDPResponder.with(answers: []) { responder in
            let network = network(to: responder)
            let mSearch = self.mSearch
            let start = ContinuousClock.now
            let consumer = Task {
                for try await _ in network.search(mSearch, interface: "lo", source: nil, timeout: .seconds(60)) {}
            }
            let deadline = ContinuousClock.now + .seconds(20)
            while responder.datagrams.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            consumer.cancel()
            _ = await consumer.result
            #expect(ContinuousClock.now - start < .seconds(30), "ends at the cancellation, not at its 60 s timeout")
            let port = try #require(responder.datagrams.first?.sender.port)
            #expect(await udpPortIsFree(UInt16(port), within: .seconds(15)))
        }
    }

    @Test func datagramsOverEightKilobytesAreDropped() async throws {
        let oversized = [UInt8](repeating: UInt8(ascii: "x"), count: 9000)
        try await UDPResponder.with(answers: [oversized, answerA]) { responder in
            var answers: [[UInt8]] = []
            for try await answer in network(to: responder).search(
                mSearch, interface: "lo", source: nil, timeout: .milliseconds(300)
            ) {
                answers.append(answer.bytes)
            }
            #expect(answers == [answerA])
        }
    }

    @Test func unknownInterfaceIsAConnectionError() async throws {
        let stream = SocketUPnPNetwork().search(mSearch, interface: "nosuchif0", source: nil, timeout: .seconds(1))
        await #expect(throws: UPnPNetworkError.connection("no interface \"nosuchif0\"")) {
            for try await _ in stream {}
        }
    }

    @Test func ipv6SourceIsRefused() async throws {
        let stream = SocketUPnPNetwork().search(
            mSearch, interface: "lo", source: try .literal("2001:db8::7"), timeout: .seconds(1)
        )
        let error = await #expect(throws: UPnPNetworkError.self) {
            for try await _ in stream {}
        }
        guard case .connection(let reason) = error else {
            Issue.record("expected a connection error, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("IPv4 only"))
    }

    @Test func sourceThatIsNotLocalIsAConnectionError() async throws {
        let stream = SocketUPnPNetwork().search(
            mSearch, interface: "lo", source: try .literal("203.0.113.7"), timeout: .seconds(1)
        )
        let error = await #expect(throws: UPnPNetworkError.self) {
            for try await _ in stream {}
        }
        guard case .connection(let reason) = error else {
            Issue.record("expected a connection error, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("Cannot assign requested address"))
    }

    /// Connecting a UDP socket sends nothing but makes the kernel choose the route, and for a multicast
    /// group it honours IP_MULTICAST_IF. The source address says nothing (lo's 127.0.0.1 is host-scoped, so
    /// the kernel picks another interface's), but the route's MTU (IP_MTU) is lo's: the index took effect.
    @Test func multicastOptionsRouteByInterfaceIndexWithTTLTwoAndNoLoop() async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "0.0.0.0", port: 0).get()
        do {
            let index = try MulticastOptions.interfaceIndex(named: "lo")
            try await MulticastOptions.apply(to: channel, interfaceIndex: index).get()
            try await channel.connect(to: SocketAddress(ipAddress: "239.255.255.250", port: 1900)).get()
            let options = try #require(channel as? any SocketOptionProvider)
            #expect(try await options.getIPMulticastTTL().get() == 2)
            #expect(try await options.getIPMulticastLoop().get() == 0)
            let routeMTU: CInt = try await options.unsafeGetSocketOption(
                level: .ip, name: NIOBSDSocket.Option(rawValue: IP_MTU)
            ).get()
            // IPv4 routes cap the MTU at 65535.
            #expect(routeMTU == min(try loopbackMTU(), 65535))
        } catch {
            try? await channel.close()
            throw error
        }
        try? await channel.close()
    }

    /// An index the kernel does not know is refused, so the option is read as an index (`ip_mreqn`), not as
    /// an address.
    @Test func multicastInterfaceIndexThatDoesNotExistIsRefused() async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "0.0.0.0", port: 0).get()
        await #expect(throws: IOError.self) {
            try await MulticastOptions.apply(to: channel, interfaceIndex: 999_999).get()
        }
        try? await channel.close()
    }

    func loopbackMTU() throws -> Int {
        let text = try String(contentsOfFile: "/sys/class/net/lo/mtu", encoding: .utf8)
        return try #require(Int(text.filter(\.isNumber)))
    }
}
