import NetworkAddresses

/// A BOOTP/DHCPv4 message (RFC 2131 §2, options RFC 2132), for Ethernet clients only (htype 1, hlen 6).
///
/// Only what a client sends or acts on has a field of its own; every other option the server sends is kept
/// in `DHCPOptions.other`, so nothing is silently lost when a message is decoded and encoded again.
public struct DHCPMessage: Hashable, Sendable {
    public enum Operation: UInt8, Hashable, Sendable {
        case request = 1
        case reply = 2
    }

    public var operation: Operation
    /// `xid`: the client's transaction id, echoed by the server.
    public var transactionID: UInt32
    /// `secs`: seconds since the client began acquiring or renewing.
    public var seconds: UInt16
    /// The BROADCAST bit of `flags`: the client cannot receive unicast before it has an address.
    public var broadcast: Bool
    /// `ciaddr`: the client's address, only while it holds one (RENEWING, REBINDING, RELEASE).
    public var clientAddress: IPAddress
    /// `yiaddr`: the address the server offers or confirms.
    public var yourAddress: IPAddress
    /// `siaddr`: the next server (boot), not the DHCP server: that is option 54.
    public var serverAddress: IPAddress
    /// `giaddr`: the relay agent, 0.0.0.0 when none.
    public var relayAddress: IPAddress
    /// `chaddr`.
    public var clientHardwareAddress: MACAddress
    public var options: DHCPOptions

    public init(
        operation: Operation, transactionID: UInt32, seconds: UInt16 = 0, broadcast: Bool = false,
        clientAddress: IPAddress = .ipv4Unspecified, yourAddress: IPAddress = .ipv4Unspecified,
        serverAddress: IPAddress = .ipv4Unspecified, relayAddress: IPAddress = .ipv4Unspecified,
        clientHardwareAddress: MACAddress, options: DHCPOptions
    ) {
        self.operation = operation
        self.transactionID = transactionID
        self.seconds = seconds
        self.broadcast = broadcast
        self.clientAddress = clientAddress
        self.yourAddress = yourAddress
        self.serverAddress = serverAddress
        self.relayAddress = relayAddress
        self.clientHardwareAddress = clientHardwareAddress
        self.options = options
    }
}

/// Option 53.
public enum DHCPMessageType: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case discover = 1
    case offer = 2
    case request = 3
    case decline = 4
    case ack = 5
    case nak = 6
    case release = 7
    case inform = 8

    public var description: String {
        switch self {
        case .discover: "DHCPDISCOVER"
        case .offer: "DHCPOFFER"
        case .request: "DHCPREQUEST"
        case .decline: "DHCPDECLINE"
        case .ack: "DHCPACK"
        case .nak: "DHCPNAK"
        case .release: "DHCPRELEASE"
        case .inform: "DHCPINFORM"
        }
    }

    /// "discover", "ack", ...: for metric labels and short reasons.
    public var shortName: String {
        switch self {
        case .discover: "discover"
        case .offer: "offer"
        case .request: "request"
        case .decline: "decline"
        case .ack: "ack"
        case .nak: "nak"
        case .release: "release"
        case .inform: "inform"
        }
    }
}

/// The options of one message. Times are seconds, as on the wire.
public struct DHCPOptions: Hashable, Sendable {
    /// 53.
    public var messageType: DHCPMessageType?
    /// 1.
    public var subnetMask: IPAddress?
    /// 3.
    public var routers: [IPAddress]
    /// 12.
    public var hostName: String?
    /// 50.
    public var requestedAddress: IPAddress?
    /// 51.
    public var leaseTime: UInt32?
    /// 54.
    public var serverIdentifier: IPAddress?
    /// 55: option codes, in the client's order of preference.
    public var parameterRequestList: [UInt8]
    /// 56: the server's or client's explanation (a NAK's reason, a DECLINE's).
    public var message: String?
    /// 57.
    public var maximumMessageSize: UInt16?
    /// 58 (T1).
    public var renewalTime: UInt32?
    /// 59 (T2).
    public var rebindingTime: UInt32?
    /// 61: type byte then the identifier; the server keys its lease on this rather than `chaddr` when present.
    public var clientIdentifier: [UInt8]?
    /// Every other option by code, its (concatenated, RFC 3396) value as received, encoded after the ones above in code order.
    public var other: [UInt8: [UInt8]]

    public init(
        messageType: DHCPMessageType? = nil, subnetMask: IPAddress? = nil, routers: [IPAddress] = [], hostName: String? = nil,
        requestedAddress: IPAddress? = nil, leaseTime: UInt32? = nil, serverIdentifier: IPAddress? = nil,
        parameterRequestList: [UInt8] = [], message: String? = nil, maximumMessageSize: UInt16? = nil,
        renewalTime: UInt32? = nil, rebindingTime: UInt32? = nil, clientIdentifier: [UInt8]? = nil,
        other: [UInt8: [UInt8]] = [:]
    ) {
        self.messageType = messageType
        self.subnetMask = subnetMask
        self.routers = routers
        self.hostName = hostName
        self.requestedAddress = requestedAddress
        self.leaseTime = leaseTime
        self.serverIdentifier = serverIdentifier
        self.parameterRequestList = parameterRequestList
        self.message = message
        self.maximumMessageSize = maximumMessageSize
        self.renewalTime = renewalTime
        self.rebindingTime = rebindingTime
        self.clientIdentifier = clientIdentifier
        self.other = other
    }
}

extension IPAddress {
    /// 0.0.0.0: the BOOTP "no address" value, and the source of a client that has none.
    public static let ipv4Unspecified = IPAddress(ipv4: 0)
    /// 255.255.255.255: where a client without an address sends.
    public static let ipv4Broadcast = IPAddress(ipv4: 0xFFFF_FFFF)
}
