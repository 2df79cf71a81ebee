import DHCPClient
import NetworkAddresses
import NetworkFrames
import Testing

@Suite("DHCP client: release")
struct DHCPReleaseTests {
    @Test func releaseWhileBoundSendsUnicastReleaseWithServerIdentifier() throws {
        var client = Client()
        let lease = try client.bind()
        let ack = try client.lastMessage()
        let actions = client.handle(.release, at: .seconds(100))
        #expect(actions.count == 2)
        let sent = try #require(actions.sent.first)
        #expect(sent.source == offeredAddress)
        #expect(sent.destination == .unicast(lease.serverIdentifier, lease.serverHardwareAddress))
        let release = sent.message
        #expect(release.options.messageType == .release)
        #expect(release.clientAddress == offeredAddress)
        #expect(release.options.serverIdentifier == lease.serverIdentifier)
        #expect(release.options.requestedAddress == nil)
        #expect(release.options.clientIdentifier == [1] + clientMAC.bytes)
        #expect(release.options.parameterRequestList.isEmpty)
        #expect(release.options.maximumMessageSize == nil)
        #expect(release.transactionID != ack.transactionID)
        #expect(actions.last == .lost(offeredAddress, reason: "released"))
        #expect(client.machine.state == .released)
        #expect(client.machine.deadline == nil)
        #expect(client.machine.lease == nil)
    }

    @Test func releaseWhileRebindingStillGoesToTheGrantingServer() throws {
        var client = Client()
        let lease = try client.bind()
        client.handle(.timer, at: .seconds(3151))
        #expect(client.machine.state == .rebinding)
        let actions = client.handle(.release, at: .seconds(3200))
        #expect(actions.sent.first?.destination == .unicast(lease.serverIdentifier, lease.serverHardwareAddress))
        #expect(actions.last == .lost(offeredAddress, reason: "released"))
    }

    @Test func releaseWhileSelectingSendsNothing() {
        var client = Client()
        client.handle(.start, at: .zero)
        #expect(client.handle(.release, at: .seconds(1)) == [])
        #expect(client.machine.state == .released)
        #expect(client.machine.deadline == nil)
    }

    @Test func releaseWhileProbingSendsNothing() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        client.handle(client.server.offer(to: try client.lastMessage()), at: .seconds(1))
        client.handle(client.server.ack(to: try client.lastMessage()), at: .seconds(2))
        #expect(client.handle(.release, at: seconds(2.5)) == [])
        #expect(client.machine.state == .released)
        #expect(client.machine.lease == nil)
    }

    @Test func everyInputAfterReleaseIsIgnored() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        let discover = try client.lastMessage()
        client.handle(.release, at: .seconds(1))
        #expect(client.handle(client.server.offer(to: discover), at: .seconds(2)) == [.ignored(reason: "released")])
        #expect(client.handle(.timer, at: .seconds(100)) == [])
        #expect(client.handle(.start, at: .seconds(101)) == [])
        #expect(client.handle(.probeResult(offeredAddress, conflict: nil), at: .seconds(102)) == [])
        #expect(client.handle(.release, at: .seconds(103)) == [])
        #expect(client.machine.state == .released)
        #expect(client.machine.deadline == nil)
    }
}

@Suite("DHCP client: messages not for us")
struct DHCPIgnoredMessageTests {
    enum Phase: String, Sendable {
        case selecting, requesting, bound
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var reason: String
        var phase: Phase
        var type: DHCPMessageType
        var edit: @Sendable (inout DHCPMessage) -> Void = { _ in }
        var testDescription: String { "\(type) while \(phase.rawValue) -> \(reason)" }
    }

    static let cases: [Case] = [
        Case(reason: "not-a-reply", phase: .selecting, type: .offer) { $0.operation = .request },
        Case(reason: "other-client", phase: .selecting, type: .offer) { $0.clientHardwareAddress = strangerMAC },
        Case(reason: "other-client", phase: .selecting, type: .offer) { $0.options.clientIdentifier = [1, 2, 3] },
        Case(reason: "other-transaction", phase: .selecting, type: .offer) { $0.transactionID &+= 1 },
        Case(reason: "no-message-type", phase: .selecting, type: .offer) { $0.options.messageType = nil },
        Case(reason: "offer-without-server-id", phase: .selecting, type: .offer) {
            $0.options.serverIdentifier = nil
        },
        Case(reason: "offer-without-address", phase: .selecting, type: .offer) { $0.yourAddress = .ipv4Unspecified },
        Case(reason: "unexpected-ack", phase: .selecting, type: .ack),
        Case(reason: "unexpected-nak", phase: .selecting, type: .nak),
        Case(reason: "unexpected-offer", phase: .requesting, type: .offer),
        Case(reason: "ack-without-address", phase: .requesting, type: .ack) { $0.yourAddress = .ipv4Unspecified },
        Case(reason: "other-server", phase: .requesting, type: .ack) {
            $0.options.serverIdentifier = FakeServer.other.identifier
        },
        Case(reason: "other-server", phase: .requesting, type: .nak) {
            $0.options.serverIdentifier = FakeServer.other.identifier
        },
        Case(reason: "unexpected-ack", phase: .bound, type: .ack),
        Case(reason: "unexpected-nak", phase: .bound, type: .nak),
    ]

    @Test(arguments: cases)
    func messageNotForUsIsIgnoredWithItsReasonAndChangesNothing(_ testCase: Case) throws {
        var client = Client()
        switch testCase.phase {
        case .selecting:
            client.handle(.start, at: .zero)
        case .requesting:
            client.handle(.start, at: .zero)
            client.handle(client.server.offer(to: try client.lastMessage()), at: .seconds(1))
        case .bound:
            try client.bind()
        }
        let state = client.machine.state
        let deadline = client.machine.deadline
        let lease = client.machine.lease
        let message = client.server.reply(
            testCase.type, to: try client.lastMessage(), address: offeredAddress, edit: testCase.edit)
        let actions = client.handle(message, at: .seconds(4))
        #expect(actions.ignoredReason == testCase.reason)
        #expect(client.machine.state == state)
        #expect(client.machine.deadline == deadline)
        #expect(client.machine.lease == lease)
    }

    @Test func messageBeforeStartIsIgnored() {
        var client = Client()
        let stray = DHCPMessage(
            operation: .reply, transactionID: 1, yourAddress: offeredAddress, clientHardwareAddress: clientMAC,
            options: DHCPOptions(messageType: .offer, serverIdentifier: FakeServer().identifier))
        #expect(
            client.handle(.received(stray, from: FakeServer().peer), at: .zero) == [
                .ignored(reason: "other-transaction")
            ])
        #expect(client.machine.state == .idle)
    }
}
