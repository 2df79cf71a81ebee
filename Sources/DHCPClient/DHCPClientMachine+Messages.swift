import NetworkAddresses
import NetworkFrames

/// The messages the client sends, field by field after RFC 2131 table 5.
extension DHCPClientMachine {
    /// Option 55: mask, routers, lease time, server id, T1, T2. Only the lease-related ones are acted on; the
    /// mask and routers are asked for so that the node agent can log what the network would have configured.
    public static let requestedParameters: [UInt8] = [1, 3, 51, 54, 58, 59]
    /// Option 57: an Ethernet MTU's worth, so that servers never need to truncate or fragment a reply.
    public static let maximumMessageSize: UInt16 = 1500

    /// Option 61 as sent; empty means "send none" (the option needs at least a type and one byte).
    var sentClientIdentifier: [UInt8]? {
        configuration.clientIdentifier.count >= 2 ? configuration.clientIdentifier : nil
    }

    /// The options of DISCOVER and REQUEST; table 5 forbids 55, 57 and 12 in DECLINE and RELEASE.
    private func negotiationOptions(_ type: DHCPMessageType) -> DHCPOptions {
        DHCPOptions(
            messageType: type,
            hostName: configuration.hostName.flatMap { $0.isEmpty ? nil : $0 },
            parameterRequestList: Self.requestedParameters,
            maximumMessageSize: Self.maximumMessageSize,
            clientIdentifier: sentClientIdentifier)
    }

    private func message(
        _ options: DHCPOptions, transactionID: UInt32, broadcast: Bool, clientAddress: IPAddress = .ipv4Unspecified
    ) -> DHCPMessage {
        DHCPMessage(
            operation: .request, transactionID: transactionID, broadcast: broadcast, clientAddress: clientAddress,
            clientHardwareAddress: configuration.hardwareAddress, options: options)
    }

    /// INIT. `hint` is option 50: the address the client would like back, which the server may honour.
    func discoverMessage(transactionID: UInt32, hint: IPAddress?) -> DHCPMessage {
        var options = negotiationOptions(.discover)
        options.requestedAddress = hint
        return message(options, transactionID: transactionID, broadcast: configuration.broadcast)
    }

    /// SELECTING: naming the server tells every other server that offered that its offer was declined.
    func selectingRequest(transactionID: UInt32, address: IPAddress, server: IPAddress) -> DHCPMessage {
        var options = negotiationOptions(.request)
        options.requestedAddress = address
        options.serverIdentifier = server
        return message(options, transactionID: transactionID, broadcast: configuration.broadcast)
    }

    /// INIT-REBOOT: no server id, so any server that knows the network may confirm or refuse the address.
    func rebootRequest(transactionID: UInt32, address: IPAddress) -> DHCPMessage {
        var options = negotiationOptions(.request)
        options.requestedAddress = address
        return message(options, transactionID: transactionID, broadcast: configuration.broadcast)
    }

    /// RENEWING and REBINDING: the held address goes in `ciaddr` (that is what tells the server this is a renewal),
    /// never in option 50, and option 54 must be absent.
    func renewalRequest(transactionID: UInt32, address: IPAddress, broadcast: Bool) -> DHCPMessage {
        message(
            negotiationOptions(.request), transactionID: transactionID, broadcast: broadcast, clientAddress: address)
    }

    func declineMessage(transactionID: UInt32, address: IPAddress, server: IPAddress, conflict: MACAddress)
        -> DHCPMessage
    {
        let options = DHCPOptions(
            messageType: .decline, requestedAddress: address, serverIdentifier: server,
            message: "address in use by \(conflict)", clientIdentifier: sentClientIdentifier)
        return message(options, transactionID: transactionID, broadcast: false)
    }

    func releaseMessage(transactionID: UInt32, lease: DHCPLease) -> DHCPMessage {
        let options = DHCPOptions(
            messageType: .release, serverIdentifier: lease.serverIdentifier, clientIdentifier: sentClientIdentifier)
        return message(options, transactionID: transactionID, broadcast: false, clientAddress: lease.address)
    }
}

extension IPAddress {
    /// An address a server can actually lease: IPv4, neither 0.0.0.0 nor the limited broadcast.
    var isLeasableIPv4: Bool {
        family == .ipv4 && value != 0 && value != 0xFFFF_FFFF
    }
}
