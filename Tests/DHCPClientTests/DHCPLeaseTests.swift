import DHCPClient
import NetworkAddresses
import NetworkFrames
import Testing

/// Every test here binds with `Client.bind()`: the lease starts at 1 s, lasts 3600 s, so T1 = 1801 s,
/// T2 = 3151 s and expiry = 3601 s on the virtual clock.
@Suite("DHCP client: holding a lease")
struct DHCPLeaseTests {
    let t1 = Duration.seconds(1801)
    let t2 = Duration.seconds(3151)
    let expiry = Duration.seconds(3601)

    // MARK: Lease times

    @Test func absentLeaseTimeMeansOneHour() throws {
        var client = Client()
        let lease = try client.bind { $0.options.leaseTime = nil }
        #expect(lease.leaseTime == .seconds(3600))
        #expect(lease.renewalTime == .seconds(1800))
        #expect(lease.rebindingTime == .seconds(3150))
    }

    @Test func renewalAndRebindingTimesComeFromOptions58And59() throws {
        var client = Client()
        let lease = try client.bind {
            $0.options.leaseTime = 1000
            $0.options.renewalTime = 300
            $0.options.rebindingTime = 600
        }
        #expect(lease.leaseTime == .seconds(1000))
        #expect(lease.renewalTime == .seconds(300))
        #expect(lease.rebindingTime == .seconds(600))
        #expect(client.machine.deadline == .seconds(301))
    }

    @Test func renewalTimeAfterRebindingTimeFallsBackToDefaults() throws {
        var client = Client()
        let lease = try client.bind {
            $0.options.leaseTime = 1000
            $0.options.renewalTime = 700
            $0.options.rebindingTime = 600
        }
        #expect(lease.renewalTime == .seconds(500))
        #expect(lease.rebindingTime == .seconds(875))
    }

    @Test func rebindingTimeBeyondTheLeaseFallsBackToDefaults() throws {
        var client = Client()
        let lease = try client.bind {
            $0.options.leaseTime = 1000
            $0.options.rebindingTime = 2000
        }
        #expect(lease.renewalTime == .seconds(500))
        #expect(lease.rebindingTime == .seconds(875))
    }

    // MARK: RENEWING

    @Test func renewAtT1IsUnicastRequestFromTheLeasedAddress() throws {
        var client = Client(clientConfiguration(broadcast: true))
        let lease = try client.bind()
        let before = try client.lastMessage()
        #expect(client.handle(.timer, at: t1 - .milliseconds(1)) == [])
        let actions = client.handle(.timer, at: t1)
        let sent = try #require(actions.sent.first)
        #expect(actions.count == 1)
        #expect(sent.destination == .unicast(lease.serverIdentifier, lease.serverHardwareAddress))
        #expect(sent.source == offeredAddress)
        let request = sent.message
        #expect(request.options.messageType == .request)
        #expect(request.clientAddress == offeredAddress)
        #expect(request.options.requestedAddress == nil)
        #expect(request.options.serverIdentifier == nil)
        #expect(request.broadcast == false)
        #expect(request.seconds == 0)
        #expect(request.transactionID != before.transactionID)
        #expect(client.machine.state == .renewing)
        #expect(client.machine.lease == lease)
    }

    @Test func renewRetransmitsAfterHalfTheTimeToT2ButAtLeast60SecondsAndNeverPastT2() throws {
        var client = Client()
        let lease = try client.bind()
        let first = try #require(client.handle(.timer, at: t1).onlySent)
        var now = t1
        var expected = now + (t2 - now) / 2
        var retransmissions = 0
        while let deadline = client.machine.deadline, deadline < t2 {
            #expect(deadline == expected)
            let (actions, at) = try client.fireTimer()
            let sent = try #require(actions.sent.first)
            #expect(sent.message.transactionID == first.transactionID)
            #expect(sent.destination == .unicast(lease.serverIdentifier, lease.serverHardwareAddress))
            #expect(sent.message.seconds == UInt16((at - t1).components.seconds))
            retransmissions += 1
            now = at
            expected = min(now + max((t2 - now) / 2, .seconds(60)), t2)
        }
        // 1801 → 2476 → 2813.5 → 2982.25 → 3066.625 → 3126.625 (60 s floor) → T2.
        #expect(retransmissions == 5)
        #expect(client.machine.deadline == t2)
        #expect(client.machine.state == .renewing)
    }

    @Test func renewalAckExtendsTheLeaseWithoutProbing() throws {
        var client = Client()
        let old = try client.bind()
        client.handle(.timer, at: t1)
        let actions = client.handle(client.server.ack(to: try client.lastMessage()), at: t1 + .seconds(1))
        var renewed = old
        renewed.start = t1
        #expect(actions == [.bound(renewed)])
        #expect(client.machine.state == .bound)
        #expect(client.machine.lease == renewed)
        #expect(client.machine.deadline == t1 + .seconds(1800))
    }

    @Test func nakWhileRenewingLosesTheAddressAndRediscovers() throws {
        var client = Client()
        try client.bind()
        client.handle(.timer, at: t1)
        let actions = client.handle(client.server.nak(to: try client.lastMessage()), at: t1 + .seconds(1))
        #expect(actions.first == .lost(offeredAddress, reason: "nak"))
        #expect(actions.count == 2)
        let discover = try #require(actions.sent.first?.message)
        #expect(discover.options.messageType == .discover)
        #expect(discover.options.requestedAddress == nil)
        #expect(client.machine.state == .selecting)
        #expect(client.machine.lease == nil)
    }

    @Test func addressChangeOnRenewalLosesTheOldAddressAndProbesTheNewOne() throws {
        var client = Client()
        try client.bind()
        client.handle(.timer, at: t1)
        let ack = client.server.ack(to: try client.lastMessage(), address: secondAddress)
        let actions = client.handle(ack, at: t1 + .seconds(1))
        #expect(actions == [.lost(offeredAddress, reason: "address changed"), .probe(secondAddress)])
        #expect(client.machine.state == .probing)
        #expect(client.machine.lease == nil)
        let bound = client.handle(.probeResult(secondAddress, conflict: nil), at: t1 + .seconds(2))
        guard case .bound(let lease) = try #require(bound.first) else {
            Issue.record("expected .bound, got \(bound)")
            return
        }
        #expect(lease.address == secondAddress)
        #expect(lease.start == t1)
        #expect(client.machine.lease == lease)
    }

    // MARK: REBINDING

    @Test func rebindAtT2IsBroadcastRequestWithoutServerIdentifier() throws {
        var client = Client()
        try client.bind()
        let renew = try #require(client.handle(.timer, at: t1).onlySent)
        while let deadline = client.machine.deadline, deadline < t2 {
            try client.fireTimer()
        }
        let actions = client.handle(.timer, at: t2)
        let sent = try #require(actions.sent.first)
        #expect(actions.count == 1)
        #expect(sent.destination == .broadcast)
        #expect(sent.source == offeredAddress)
        #expect(sent.message.options.messageType == .request)
        #expect(sent.message.clientAddress == offeredAddress)
        #expect(sent.message.options.serverIdentifier == nil)
        #expect(sent.message.options.requestedAddress == nil)
        #expect(sent.message.transactionID != renew.transactionID)
        // `secs` keeps counting from the start of the renewal at T1.
        #expect(sent.message.seconds == 1350)
        #expect(client.machine.state == .rebinding)
    }

    @Test func rebindRetransmitsAfterHalfTheTimeToExpiryButAtLeast60SecondsAndNeverPastExpiry() throws {
        var client = Client()
        try client.bind()
        client.handle(.timer, at: t2)
        let first = try client.lastMessage()
        #expect(client.machine.state == .rebinding)
        var now = t2
        var deadlines: [Duration] = []
        while let deadline = client.machine.deadline, deadline < expiry {
            #expect(deadline == min(now + max((expiry - now) / 2, .seconds(60)), expiry))
            deadlines.append(deadline)
            let (actions, at) = try client.fireTimer()
            let sent = try #require(actions.sent.first)
            #expect(sent.destination == .broadcast)
            #expect(sent.message.transactionID == first.transactionID)
            now = at
        }
        #expect(deadlines == [.seconds(3376), .milliseconds(3_488_500), .milliseconds(3_548_500)])
        #expect(client.machine.deadline == expiry)
    }

    @Test func ackWhileRebindingFromAnotherServerIsAccepted() throws {
        var client = Client()
        try client.bind()
        client.handle(.timer, at: t2)
        let other = FakeServer.other
        let actions = client.handle(other.ack(to: try client.lastMessage()), at: t2 + .seconds(1))
        guard case .bound(let lease) = try #require(actions.first) else {
            Issue.record("expected .bound, got \(actions)")
            return
        }
        #expect(actions.count == 1)
        #expect(lease.serverIdentifier == other.identifier)
        #expect(lease.serverHardwareAddress == other.hardwareAddress)
        #expect(lease.start == t2)
        #expect(client.machine.state == .bound)
        // The next renewal goes to the server that answered.
        let renew = try #require(client.handle(.timer, at: t2 + .seconds(1800)).sent.first)
        #expect(renew.destination == .unicast(other.identifier, other.hardwareAddress))
    }

    @Test func nakWhileRebindingLosesTheAddressAndRediscovers() throws {
        var client = Client()
        try client.bind()
        client.handle(.timer, at: t2)
        let actions = client.handle(FakeServer.other.nak(to: try client.lastMessage()), at: t2 + .seconds(1))
        #expect(actions.first == .lost(offeredAddress, reason: "nak"))
        #expect(actions.sent.first?.message.options.messageType == .discover)
        #expect(client.machine.state == .selecting)
    }

    @Test func expiryLosesTheAddressAndRediscovers() throws {
        var client = Client()
        try client.bind()
        client.handle(.timer, at: t2)
        while let deadline = client.machine.deadline, deadline < expiry {
            try client.fireTimer()
        }
        let actions = client.handle(.timer, at: expiry)
        #expect(actions.first == .lost(offeredAddress, reason: "lease expired"))
        #expect(actions.count == 2)
        let discover = try #require(actions.sent.first)
        #expect(discover.message.options.messageType == .discover)
        #expect(discover.message.options.requestedAddress == nil)
        #expect(discover.message.clientAddress == .ipv4Unspecified)
        #expect(discover.source == .ipv4Unspecified)
        #expect(discover.destination == .broadcast)
        #expect(client.machine.state == .selecting)
        #expect(client.machine.lease == nil)
    }

    @Test func lateTimerPastT2GoesStraightToRebinding() throws {
        var client = Client()
        try client.bind()
        let actions = client.handle(.timer, at: t2 + .seconds(10))
        #expect(actions.sent.first?.destination == .broadcast)
        #expect(client.machine.state == .rebinding)
    }

    // MARK: Probing and DECLINE

    @Test func conflictSendsDeclineAndRediscoversOnlyAfterTenSeconds() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        client.handle(client.server.offer(to: try client.lastMessage()), at: .seconds(1))
        client.handle(client.server.ack(to: try client.lastMessage()), at: .seconds(2))
        let actions = client.handle(.probeResult(offeredAddress, conflict: strangerMAC), at: seconds(2.5))
        let sent = try #require(actions.sent.first)
        #expect(actions.count == 1)
        #expect(sent.destination == .broadcast)
        #expect(sent.source == .ipv4Unspecified)
        let decline = sent.message
        #expect(decline.options.messageType == .decline)
        #expect(decline.options.requestedAddress == offeredAddress)
        #expect(decline.options.serverIdentifier == client.server.identifier)
        #expect(decline.clientAddress == .ipv4Unspecified)
        #expect(decline.options.message?.contains(strangerMAC.description) == true)
        #expect(decline.options.clientIdentifier == [1] + clientMAC.bytes)
        #expect(decline.options.parameterRequestList.isEmpty)
        #expect(client.machine.state == .declined)
        #expect(client.machine.lease == nil)
        #expect(client.machine.deadline == seconds(12.5))

        #expect(client.handle(.timer, at: seconds(12.499)) == [])
        let restart = client.handle(.timer, at: seconds(12.5))
        let discover = try #require(restart.onlySent)
        #expect(discover.options.messageType == .discover)
        #expect(discover.options.requestedAddress == nil)
        #expect(client.machine.state == .selecting)
    }

    @Test func conflictAfterInitRebootStartsOverWithDiscoverNotInitReboot() throws {
        let remembered = v4(198, 51, 100, 20)
        var client = Client(clientConfiguration(rememberedAddress: remembered))
        let request = try #require(client.handle(.start, at: .zero).onlySent)
        client.handle(client.server.ack(to: request, address: remembered), at: .seconds(1))
        client.handle(.probeResult(remembered, conflict: strangerMAC), at: .seconds(2))
        let (actions, _) = try client.fireTimer()
        let discover = try #require(actions.onlySent)
        #expect(discover.options.messageType == .discover)
        #expect(discover.options.requestedAddress == nil)
    }

    @Test func probeResultForAnotherAddressChangesNothing() throws {
        var client = Client()
        client.handle(.start, at: .zero)
        client.handle(client.server.offer(to: try client.lastMessage()), at: .seconds(1))
        client.handle(client.server.ack(to: try client.lastMessage()), at: .seconds(2))
        #expect(client.handle(.probeResult(secondAddress, conflict: strangerMAC), at: seconds(2.5)) == [])
        #expect(client.machine.state == .probing)
        #expect(client.machine.deadline == .seconds(3))
    }
}
