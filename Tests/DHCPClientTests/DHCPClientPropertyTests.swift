import DHCPClient
import NetworkAddresses
import NetworkFrames
import PropertyBased
import Testing

@Suite("DHCP client: random input sequences")
struct DHCPClientPropertyTests {
    /// One random input, decoded from 64 random bits against what the machine last sent, so that a good share
    /// of the messages match its transaction and actually drive it.
    struct Step {
        var input: DHCPClientInput
        var now: Duration
    }

    static let times: [Duration] = [
        .zero, .milliseconds(300), .seconds(2), .seconds(30), .seconds(400), .seconds(1500),
    ]

    static func step(_ code: UInt64, now: Duration, machine: DHCPClientMachine, last: DHCPMessage?) -> Step {
        var bits = code
        func take(_ count: UInt64) -> Int {
            defer { bits /= count }
            return Int(bits % count)
        }
        let later = now + times[take(UInt64(times.count))]
        if machine.state == .idle, take(2) == 0 {
            return Step(input: .start, now: later)
        }
        switch take(12) {
        case 0:
            return Step(input: .start, now: later)
        case 1, 2, 3:
            return Step(input: .timer, now: max(later, machine.deadline ?? later))
        case 4:
            return Step(input: .timer, now: later)
        case 5:
            let address = [offeredAddress, secondAddress][take(2)]
            return Step(input: .probeResult(address, conflict: take(3) == 0 ? strangerMAC : nil), now: later)
        case 6:
            // Rare, since nothing happens after it.
            return Step(input: take(40) == 0 ? .release : .timer, now: later)
        default:
            let server = take(3) == 0 ? FakeServer.other : FakeServer()
            // Mostly what a server sends, sometimes anything.
            let type =
                take(5) == 0
                ? DHCPMessageType.allCases[take(UInt64(DHCPMessageType.allCases.count))]
                : [.offer, .ack, .ack, .nak][take(4)]
            var message = DHCPMessage(
                operation: take(20) == 0 ? .request : .reply,
                transactionID: take(6) == 0 ? UInt32(truncatingIfNeeded: bits) : last?.transactionID ?? 0,
                yourAddress: [offeredAddress, secondAddress, offeredAddress, .ipv4Unspecified][take(4)],
                clientHardwareAddress: take(12) == 0 ? strangerMAC : clientMAC,
                options: DHCPOptions(messageType: take(15) == 0 ? nil : type))
            message.options.serverIdentifier = [server.identifier, FakeServer.other.identifier, nil][take(3)]
            message.options.leaseTime = [nil, 3600, 60, 1, 0, UInt32.max][take(6)]
            message.options.renewalTime = [nil, 30, 1800, 5000, 0][take(5)]
            message.options.rebindingTime = [nil, 50, 3150, 9000][take(4)]
            return Step(input: .received(message, from: server.peer), now: later)
        }
    }

    @Test func randomInputsKeepTheMachineConsistent() async {
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max).array(of: 1...200)) { codes in
            var machine = DHCPClientMachine(
                configuration: clientConfiguration(
                    broadcast: codes.count % 2 == 0,
                    rememberedAddress: codes.count % 3 == 0 ? offeredAddress : nil),
                seed: codes.first ?? 0)
            var now = Duration.zero
            var last: DHCPMessage?
            var acked: Set<IPAddress> = []
            var released = false
            for (index, code) in codes.enumerated() {
                let step = Self.step(code, now: now, machine: machine, last: last)
                now = step.now
                let previousDeadline = machine.deadline
                let actions = machine.handle(step.input, now: now)
                let context = "step \(index): \(step.input) at \(now) -> \(actions)"

                if case .received(let message, _) = step.input, message.options.messageType == .ack,
                    actions.ignoredReason == nil, !actions.isEmpty
                {
                    acked.insert(message.yourAddress)
                }
                for action in actions {
                    switch action {
                    case .bound(let lease):
                        #expect(acked.contains(lease.address), "bound without an ACK: \(context)")
                        #expect(machine.lease == lease, "\(context)")
                        #expect(machine.state == .bound, "\(context)")
                        #expect(lease.renewalTime <= lease.rebindingTime && lease.rebindingTime <= lease.leaseTime)
                    case .send(let message, let source, let destination):
                        #expect(!released, "sent after release: \(context)")
                        check(message, source: source, destination: destination, context: context)
                        last = message
                    case .probe, .lost, .ignored:
                        break
                    }
                }
                // A caller may let time pass a deadline before delivering `.timer`; what the machine itself sets,
                // and what it leaves after a due timer, must never be in the past.
                let timerWasDue = step.input == .timer && previousDeadline.map { now >= $0 } == true
                if let deadline = machine.deadline, timerWasDue || deadline != previousDeadline {
                    #expect(deadline >= now, "deadline in the past: \(context)")
                }
                let holds = [.bound, .renewing, .rebinding].contains(machine.state)
                #expect((machine.lease != nil) == holds, "lease vs state \(machine.state): \(context)")
                if [.selecting, .requesting, .rebooting, .probing, .bound, .renewing, .rebinding, .declined]
                    .contains(machine.state)
                {
                    #expect(machine.deadline != nil, "no deadline in \(machine.state): \(context)")
                }
                if machine.state == .released {
                    released = true
                    #expect(machine.deadline == nil)
                }
            }
        }
    }

    /// The shape rules of RFC 2131 table 5 that every message must follow, whatever led to it.
    func check(_ message: DHCPMessage, source: IPAddress, destination: DHCPDestination, context: String) {
        #expect(message.operation == .request, "\(context)")
        #expect(message.clientHardwareAddress == clientMAC, "\(context)")
        #expect(message.clientAddress == source, "ciaddr is the source: \(context)")
        guard let type = message.options.messageType else {
            Issue.record("no message type: \(context)")
            return
        }
        switch type {
        case .discover:
            #expect(message.options.serverIdentifier == nil && message.clientAddress == .ipv4Unspecified)
            #expect(destination == .broadcast)
        case .request:
            #expect(message.options.maximumMessageSize == 1500, "\(context)")
            if message.clientAddress != .ipv4Unspecified {
                // RENEWING or REBINDING: never option 50 nor 54 (upstream's bug was to send neither kind right).
                #expect(
                    message.options.requestedAddress == nil && message.options.serverIdentifier == nil, "\(context)")
            } else {
                #expect(message.options.requestedAddress != nil, "\(context)")
                #expect(destination == .broadcast, "\(context)")
            }
        case .decline:
            #expect(message.options.requestedAddress != nil && message.options.serverIdentifier != nil, "\(context)")
            #expect(destination == .broadcast)
        case .release:
            #expect(message.options.serverIdentifier != nil, "\(context)")
            if case .broadcast = destination { Issue.record("broadcast RELEASE: \(context)") }
        case .offer, .ack, .nak, .inform:
            Issue.record("client sent \(type): \(context)")
        }
    }
}
