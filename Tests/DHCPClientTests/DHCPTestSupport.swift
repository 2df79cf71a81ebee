import DHCPClient
import NetworkAddresses
import NetworkFrames
import Testing

func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> IPAddress {
    IPAddress(ipv4: UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
}

let clientMAC = MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x01)
let strangerMAC = MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x99)
let offeredAddress = v4(198, 51, 100, 10)
let secondAddress = v4(198, 51, 100, 11)

func clientConfiguration(
    hostName: String? = "web", broadcast: Bool = false, rememberedAddress: IPAddress? = nil
) -> DHCPClientConfiguration {
    DHCPClientConfiguration(
        hardwareAddress: clientMAC, hostName: hostName, broadcast: broadcast, rememberedAddress: rememberedAddress)
}

/// A DHCP server as far as the client can tell: it answers the client's last message with the xid and chaddr
/// echoed, from its own addresses.
struct FakeServer {
    var identifier = v4(198, 51, 100, 1)
    var hardwareAddress = MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0xFE)

    static let other = FakeServer(
        identifier: v4(198, 51, 100, 2), hardwareAddress: MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0xFD))

    var peer: DHCPPeer { DHCPPeer(hardwareAddress: hardwareAddress, address: identifier) }

    func reply(
        _ type: DHCPMessageType, to request: DHCPMessage, address: IPAddress = .ipv4Unspecified,
        edit: (inout DHCPMessage) -> Void = { _ in }
    ) -> DHCPClientInput {
        var message = DHCPMessage(
            operation: .reply, transactionID: request.transactionID, yourAddress: address,
            clientHardwareAddress: request.clientHardwareAddress,
            options: DHCPOptions(messageType: type, serverIdentifier: identifier))
        if type != .nak {
            message.options.subnetMask = v4(255, 255, 255, 0)
            message.options.leaseTime = 3600
        }
        edit(&message)
        return .received(message, from: peer)
    }

    func offer(
        to request: DHCPMessage, address: IPAddress = offeredAddress, edit: (inout DHCPMessage) -> Void = { _ in }
    )
        -> DHCPClientInput
    {
        reply(.offer, to: request, address: address, edit: edit)
    }

    func ack(to request: DHCPMessage, address: IPAddress = offeredAddress, edit: (inout DHCPMessage) -> Void = { _ in })
        -> DHCPClientInput
    {
        reply(.ack, to: request, address: address, edit: edit)
    }

    func nak(to request: DHCPMessage) -> DHCPClientInput {
        reply(.nak, to: request) { $0.options.message = "wrong network" }
    }
}

struct Sent: Equatable {
    var message: DHCPMessage
    var source: IPAddress
    var destination: DHCPDestination
}

extension Array where Element == DHCPClientAction {
    var sent: [Sent] {
        compactMap {
            if case .send(let message, let source, let destination) = $0 {
                return Sent(message: message, source: source, destination: destination)
            }
            return nil
        }
    }

    /// The message of an answer that is exactly one send.
    var onlySent: DHCPMessage? {
        count == 1 ? sent.first?.message : nil
    }

    var ignoredReason: String? {
        guard count == 1, case .ignored(let reason) = self[0] else { return nil }
        return reason
    }
}

func seconds(_ value: Double) -> Duration { .milliseconds(Int64((value * 1000).rounded())) }

/// Drives one machine along the usual paths; each step says at which virtual time it happens.
struct Client {
    var machine: DHCPClientMachine
    var server = FakeServer()
    /// The client's last message.
    var last: DHCPMessage?

    init(_ configuration: DHCPClientConfiguration = clientConfiguration(), seed: UInt64 = 42) {
        machine = DHCPClientMachine(configuration: configuration, seed: seed)
    }

    @discardableResult
    mutating func handle(_ input: DHCPClientInput, at now: Duration) -> [DHCPClientAction] {
        let actions = machine.handle(input, now: now)
        if let message = actions.sent.last?.message { last = message }
        return actions
    }

    /// Delivers `.timer` exactly at the deadline.
    @discardableResult
    mutating func fireTimer() throws -> (actions: [DHCPClientAction], at: Duration) {
        let now = try #require(machine.deadline)
        return (handle(.timer, at: now), now)
    }

    func lastMessage() throws -> DHCPMessage { try #require(last) }

    /// start at 0, OFFER at 1 (REQUEST sent at 1), ACK at 2, probe silence at 3: bound with a lease starting at 1.
    @discardableResult
    mutating func bind(edit: (inout DHCPMessage) -> Void = { _ in }) throws -> DHCPLease {
        handle(.start, at: .zero)
        handle(server.offer(to: try lastMessage()), at: .seconds(1))
        handle(server.ack(to: try lastMessage(), edit: edit), at: .seconds(2))
        let actions = handle(.probeResult(offeredAddress, conflict: nil), at: .seconds(3))
        guard case .bound(let lease) = try #require(actions.first) else {
            Issue.record("expected .bound, got \(actions)")
            throw BindFailed()
        }
        return lease
    }

    struct BindFailed: Error {}
}
