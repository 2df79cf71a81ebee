import DHCPClient
import NetworkAddresses
import NetworkFrames
import Testing

@Suite("DHCP client: acquiring a lease")
struct DHCPAcquisitionTests {
    @Test func startWithoutRememberedAddressBroadcastsDiscover() throws {
        var client = Client()
        let actions = client.handle(.start, at: .zero)
        let sent = try #require(actions.sent.first)
        #expect(actions.count == 1)
        #expect(sent.source == .ipv4Unspecified)
        #expect(sent.destination == .broadcast)
        let discover = sent.message
        #expect(discover.operation == .request)
        #expect(discover.options.messageType == .discover)
        #expect(discover.clientHardwareAddress == clientMAC)
        #expect(discover.clientAddress == .ipv4Unspecified)
        #expect(discover.options.requestedAddress == nil)
        #expect(discover.options.serverIdentifier == nil)
        #expect(discover.options.clientIdentifier == [1] + clientMAC.bytes)
        #expect(discover.options.hostName == "web")
        #expect(discover.options.parameterRequestList == [1, 3, 51, 54, 58, 59])
        #expect(discover.options.maximumMessageSize == 1500)
        #expect(discover.seconds == 0)
        #expect(client.machine.state == .selecting)
    }

    @Test func broadcastFlagFollowsTheConfiguration() throws {
        var quiet = Client(clientConfiguration(broadcast: false))
        var loud = Client(clientConfiguration(broadcast: true))
        #expect(try #require(quiet.handle(.start, at: .zero).onlySent).broadcast == false)
        #expect(try #require(loud.handle(.start, at: .zero).onlySent).broadcast == true)
    }

    @Test func hostNameOptionIsAbsentWhenNoneIsConfigured() throws {
        var client = Client(clientConfiguration(hostName: nil))
        let discover = try #require(client.handle(.start, at: .zero).onlySent)
        #expect(discover.options.hostName == nil)
        #expect(discover.options.clientIdentifier == [1] + clientMAC.bytes)
    }

    @Test func offerIsAnsweredWithBroadcastRequestNamingTheServerAndAddress() throws {
        var client = Client()
        let discover = try #require(client.handle(.start, at: .zero).onlySent)
        let actions = client.handle(client.server.offer(to: discover), at: .seconds(1))
        let sent = try #require(actions.sent.first)
        #expect(actions.count == 1)
        #expect(sent.destination == .broadcast)
        #expect(sent.source == .ipv4Unspecified)
        let request = sent.message
        #expect(request.options.messageType == .request)
        #expect(request.transactionID == discover.transactionID)
        #expect(request.options.requestedAddress == offeredAddress)
        #expect(request.options.serverIdentifier == client.server.identifier)
        #expect(request.clientAddress == .ipv4Unspecified)
        #expect(request.options.maximumMessageSize == 1500)
        #expect(request.options.parameterRequestList == [1, 3, 51, 54, 58, 59])
        #expect(client.machine.state == .requesting)
    }

    @Test func fullDORAProbesTheAddressThenBinds() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        client.handle(client.server.offer(to: try client.lastMessage()), at: .seconds(1))
        let afterAck = client.handle(client.server.ack(to: try client.lastMessage()), at: .seconds(2))
        #expect(afterAck == [.probe(offeredAddress)])
        #expect(client.machine.state == .probing)
        #expect(client.machine.deadline == .seconds(3))
        #expect(client.machine.lease == nil)

        let afterProbe = client.handle(.probeResult(offeredAddress, conflict: nil), at: .milliseconds(2500))
        let expected = DHCPLease(
            address: offeredAddress, subnetMask: v4(255, 255, 255, 0), serverIdentifier: client.server.identifier,
            serverHardwareAddress: client.server.hardwareAddress, start: .seconds(1), leaseTime: .seconds(3600),
            renewalTime: .seconds(1800), rebindingTime: .seconds(3150))
        #expect(afterProbe == [.bound(expected)])
        #expect(client.machine.state == .bound)
        #expect(client.machine.lease == expected)
        #expect(client.machine.deadline == .seconds(1801))
    }

    @Test func probeSilenceUntilTheProbeDeadlineBinds() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        client.handle(client.server.offer(to: try client.lastMessage()), at: .seconds(1))
        client.handle(client.server.ack(to: try client.lastMessage()), at: .seconds(2))
        #expect(client.handle(.timer, at: .milliseconds(2999)) == [])
        let (actions, _) = try client.fireTimer()
        guard case .bound(let lease) = try #require(actions.first) else {
            Issue.record("expected .bound, got \(actions)")
            return
        }
        #expect(lease.address == offeredAddress)
        #expect(client.machine.state == .bound)
    }

    @Test func leaseStartsWhenTheRequestWasFirstSent() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        client.handle(client.server.offer(to: try client.lastMessage()), at: .seconds(10))
        let (retransmission, _) = try client.fireTimer()
        #expect(retransmission.onlySent?.options.messageType == .request)
        client.handle(client.server.ack(to: try client.lastMessage()), at: .seconds(20))
        let actions = client.handle(.probeResult(offeredAddress, conflict: nil), at: .seconds(21))
        guard case .bound(let lease) = try #require(actions.first) else {
            Issue.record("expected .bound, got \(actions)")
            return
        }
        #expect(lease.start == .seconds(10))
        #expect(lease.expiry == .seconds(3610))
    }

    @Test func ackWithoutServerIdentifierUsesThePeerAddress() throws {
        var client = Client()
        let lease = try client.bind { $0.options.serverIdentifier = nil }
        #expect(lease.serverIdentifier == client.server.identifier)
        #expect(lease.serverHardwareAddress == client.server.hardwareAddress)
    }

    @Test func firstOfferWinsAndLaterOffersAreIgnored() throws {
        var client = Client()
        let discover = try #require(client.handle(.start, at: .zero).onlySent)
        client.handle(client.server.offer(to: discover), at: .seconds(1))
        let deadline = client.machine.deadline
        let late = client.handle(FakeServer.other.offer(to: discover, address: secondAddress), at: .seconds(2))
        #expect(late == [.ignored(reason: "unexpected-offer")])
        #expect(client.machine.state == .requesting)
        #expect(client.machine.deadline == deadline)
        #expect(try client.lastMessage().options.requestedAddress == offeredAddress)
    }

    @Test func requestingNakRestartsDiscoveryWithFreshTransaction() throws {
        var client = Client()
        let discover = try #require(client.handle(.start, at: .zero).onlySent)
        client.handle(client.server.offer(to: discover), at: .seconds(1))
        let actions = client.handle(client.server.nak(to: try client.lastMessage()), at: .seconds(2))
        let again = try #require(actions.onlySent)
        #expect(again.options.messageType == .discover)
        #expect(again.options.requestedAddress == nil)
        #expect(again.transactionID != discover.transactionID)
        #expect(again.seconds == 0)
        #expect(client.machine.state == .selecting)
    }

    @Test func requestingGivesUpAfterFourUnansweredTransmissions() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        client.handle(client.server.offer(to: try client.lastMessage()), at: .seconds(1))
        for _ in 0..<3 {
            let (actions, _) = try client.fireTimer()
            #expect(actions.onlySent?.options.messageType == .request)
            #expect(client.machine.state == .requesting)
        }
        let (actions, _) = try client.fireTimer()
        let discover = try #require(actions.onlySent)
        #expect(discover.options.messageType == .discover)
        #expect(discover.options.requestedAddress == nil)
        #expect(client.machine.state == .selecting)
    }

    @Test func selectingRetransmitsWithExponentialBackoffJitteredAndCappedAt64Seconds() throws {
        var client = Client(seed: 7)
        let discover = try #require(client.handle(.start, at: .zero).onlySent)
        var previous = Duration.zero
        for base in [4, 8, 16, 32, 64, 64, 64, 64] {
            let (actions, at) = try client.fireTimer()
            let interval = at - previous
            #expect(interval >= .seconds(base - 1) && interval <= .seconds(base + 1), "base \(base): \(interval)")
            let again = try #require(actions.onlySent)
            #expect(again.options.messageType == .discover)
            #expect(again.transactionID == discover.transactionID)
            previous = at
        }
        #expect(client.machine.state == .selecting)
    }

    @Test func retransmissionJitterIsRandomNotFixed() throws {
        var offsets: Set<Duration> = []
        for seed in UInt64(1)...8 {
            var client = Client(seed: seed)
            client.handle(.start, at: .zero)
            offsets.insert(try #require(client.machine.deadline) - .seconds(4))
        }
        #expect(offsets.count > 4)
        #expect(offsets.allSatisfy { $0 >= .seconds(-1) && $0 <= .seconds(1) })
    }

    @Test func secsCountsWholeSecondsSinceTheExchangeBegan() throws {
        var client = Client()
        client.handle(.start, at: .seconds(100))
        let (first, at) = try client.fireTimer()
        let elapsed = (at - .seconds(100)).components.seconds
        #expect(try #require(first.onlySent).seconds == UInt16(elapsed))
        // The REQUEST continues the acquisition that the DISCOVER began.
        let request = try #require(
            client.handle(client.server.offer(to: try client.lastMessage()), at: seconds(120.7)).onlySent)
        #expect(request.seconds == 20)
    }

    @Test func secsIsCappedAtUInt16Max() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        let request = try #require(
            client.handle(client.server.offer(to: try client.lastMessage()), at: .seconds(100_000)).onlySent)
        #expect(request.seconds == UInt16.max)
    }

    @Test func sameSeedGivesTheSameTransactionIDs() throws {
        var first = Client(seed: 99)
        var second = Client(seed: 99)
        var third = Client(seed: 100)
        let a = try #require(first.handle(.start, at: .zero).onlySent)
        let b = try #require(second.handle(.start, at: .zero).onlySent)
        let c = try #require(third.handle(.start, at: .zero).onlySent)
        #expect(a.transactionID == b.transactionID)
        #expect(a.transactionID != c.transactionID)
        #expect(first.machine.deadline == second.machine.deadline)
    }

    @Test func earlyTimerDoesNothing() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        let deadline = try #require(client.machine.deadline)
        #expect(client.handle(.timer, at: deadline - .milliseconds(1)) == [])
        #expect(client.machine.deadline == deadline)
        #expect(client.machine.state == .selecting)
    }

    @Test func timerWithoutDeadlineDoesNothing() {
        var client = Client()
        #expect(client.handle(.timer, at: .seconds(5)) == [])
        #expect(client.machine.state == .idle)
        #expect(client.machine.deadline == nil)
    }

    @Test func secondStartIsIgnored() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        let deadline = client.machine.deadline
        #expect(client.handle(.start, at: .seconds(1)) == [])
        #expect(client.machine.deadline == deadline)
    }
}

@Suite("DHCP client: INIT-REBOOT")
struct DHCPInitRebootTests {
    let remembered = v4(198, 51, 100, 20)

    @Test func startWithRememberedAddressBroadcastsRequestForIt() throws {
        var client = Client(clientConfiguration(rememberedAddress: remembered))
        let actions = client.handle(.start, at: .zero)
        let sent = try #require(actions.sent.first)
        #expect(actions.count == 1)
        #expect(sent.destination == .broadcast)
        #expect(sent.source == .ipv4Unspecified)
        #expect(sent.message.options.messageType == .request)
        #expect(sent.message.options.requestedAddress == remembered)
        #expect(sent.message.options.serverIdentifier == nil)
        #expect(sent.message.clientAddress == .ipv4Unspecified)
        #expect(sent.message.options.maximumMessageSize == 1500)
        #expect(client.machine.state == .rebooting)
    }

    @Test func ackFromAnyServerIsProbedThenBound() throws {
        var client = Client(clientConfiguration(rememberedAddress: remembered))
        let request = try #require(client.handle(.start, at: .seconds(5)).onlySent)
        let server = FakeServer.other
        #expect(client.handle(server.ack(to: request, address: remembered), at: .seconds(6)) == [.probe(remembered)])
        let actions = client.handle(.probeResult(remembered, conflict: nil), at: .seconds(7))
        guard case .bound(let lease) = try #require(actions.first) else {
            Issue.record("expected .bound, got \(actions)")
            return
        }
        #expect(lease.address == remembered)
        #expect(lease.serverIdentifier == server.identifier)
        #expect(lease.serverHardwareAddress == server.hardwareAddress)
        #expect(lease.start == .seconds(5))
    }

    @Test func nakFallsBackToDiscoverWithoutRequestedAddress() throws {
        var client = Client(clientConfiguration(rememberedAddress: remembered))
        let request = try #require(client.handle(.start, at: .zero).onlySent)
        let actions = client.handle(client.server.nak(to: request), at: .seconds(1))
        let discover = try #require(actions.onlySent)
        #expect(discover.options.messageType == .discover)
        #expect(discover.options.requestedAddress == nil)
        #expect(discover.transactionID != request.transactionID)
        #expect(client.machine.state == .selecting)
    }

    @Test func silenceAfterFourRequestsFallsBackToDiscoverHintingTheAddress() throws {
        var client = Client(clientConfiguration(rememberedAddress: remembered))
        let request = try #require(client.handle(.start, at: .zero).onlySent)
        var previous = Duration.zero
        for base in [4, 8, 16] {
            let (actions, at) = try client.fireTimer()
            let again = try #require(actions.onlySent)
            #expect(again.options.messageType == .request)
            #expect(again.options.requestedAddress == remembered)
            #expect(again.transactionID == request.transactionID)
            #expect(at - previous >= .seconds(base - 1) && at - previous <= .seconds(base + 1))
            previous = at
        }
        let (actions, at) = try client.fireTimer()
        #expect(at - previous >= .seconds(31) && at - previous <= .seconds(33))
        let discover = try #require(actions.onlySent)
        #expect(discover.options.messageType == .discover)
        #expect(discover.options.requestedAddress == remembered)
        #expect(discover.transactionID != request.transactionID)
        #expect(client.machine.state == .selecting)
    }
}
