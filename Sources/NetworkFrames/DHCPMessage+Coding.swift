import NetworkAddresses

/// DHCP option codes (RFC 2132) that the codec gives meaning to, and a few a client commonly
/// asks for in its parameter request list.
public enum DHCPOptionCode {
    public static let pad: UInt8 = 0
    public static let subnetMask: UInt8 = 1
    public static let routers: UInt8 = 3
    public static let domainNameServers: UInt8 = 6
    public static let hostName: UInt8 = 12
    public static let domainName: UInt8 = 15
    public static let broadcastAddress: UInt8 = 28
    public static let requestedAddress: UInt8 = 50
    public static let leaseTime: UInt8 = 51
    public static let overload: UInt8 = 52
    public static let messageType: UInt8 = 53
    public static let serverIdentifier: UInt8 = 54
    public static let parameterRequestList: UInt8 = 55
    public static let message: UInt8 = 56
    public static let maximumMessageSize: UInt8 = 57
    public static let renewalTime: UInt8 = 58
    public static let rebindingTime: UInt8 = 59
    public static let clientIdentifier: UInt8 = 61
    public static let end: UInt8 = 255

    /// Codes that `DHCPOptions.other` never holds: the typed fields' own codes, PAD and END
    /// (which have no value), and overload (52), which describes the message layout rather than
    /// the lease. `encode()` skips these keys in `other` so that it can never emit a duplicate or
    /// a layout it did not build.
    public static let notInOther: Set<UInt8> = [
        pad, subnetMask, routers, hostName, requestedAddress, leaseTime, overload, messageType, serverIdentifier,
        parameterRequestList, message, maximumMessageSize, renewalTime, rebindingTime, clientIdentifier, end,
    ]
}

extension DHCPMessage {
    /// op through `file`: the fixed BOOTP part (RFC 951, RFC 2131 §2).
    public static let bootpHeaderLength = 236
    /// 99.130.83.99, which marks the rest of the message as RFC 2132 options.
    public static let magicCookie: UInt32 = 0x6382_5363
    /// The RFC 1542 §3.1 minimum BOOTP message; some servers and relays drop anything shorter.
    public static let minimumLength = 300

    private static let serverNameLength = 64
    private static let bootFileLength = 128

    /// The message as it goes into a UDP datagram: BOOTP header (Ethernet, hops 0, `sname` and
    /// `file` zero), cookie, options, END, then PAD up to `minimumLength`.
    ///
    /// Options never overflow into `sname`/`file`: a client's options fit easily, and without
    /// overload every server reads them. Values longer than 255 bytes are split into several
    /// instances (RFC 3396). Every address must be IPv4 (a programming error otherwise).
    public func encode() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.minimumLength)
        bytes.append(operation.rawValue)
        bytes.append(1)  // htype: Ethernet
        bytes.append(6)  // hlen
        bytes.append(0)  // hops
        bytes.appendBigEndian(transactionID)
        bytes.appendBigEndian(seconds)
        bytes.appendBigEndian(broadcast ? UInt16(0x8000) : 0)
        bytes.appendIPv4(clientAddress)
        bytes.appendIPv4(yourAddress)
        bytes.appendIPv4(serverAddress)
        bytes.appendIPv4(relayAddress)
        bytes.append(clientHardwareAddress)
        bytes.append(contentsOf: repeatElement(0, count: 16 - 6 + Self.serverNameLength + Self.bootFileLength))
        bytes.appendBigEndian(Self.magicCookie)
        for (code, value) in options.encodedValues() {
            Self.appendOption(code, value, to: &bytes)
        }
        bytes.append(DHCPOptionCode.end)
        if bytes.count < Self.minimumLength {
            bytes.append(contentsOf: repeatElement(DHCPOptionCode.pad, count: Self.minimumLength - bytes.count))
        }
        return bytes
    }

    /// One option as as many instances of at most 255 bytes as its value needs (one, empty, for
    /// an empty value).
    private static func appendOption(_ code: UInt8, _ value: [UInt8], to bytes: inout [UInt8]) {
        var start = 0
        repeat {
            let end = min(start + 255, value.count)
            bytes.append(code)
            bytes.append(UInt8(end - start))
            bytes.append(contentsOf: value[start..<end])
            start = end
        } while start < value.count
    }

    /// Decodes a UDP payload defensively: every length is checked, and every way to refuse the
    /// input is a `FrameDecodingError`, so that anything on the wire can be fed in.
    ///
    /// - Refuses non-Ethernet hardware, an unknown `op`, a missing or wrong magic cookie, an option
    ///   running past its area, and typed options of the wrong length or value.
    /// - Instances of one option are concatenated before they are interpreted (RFC 3396), across
    ///   `options`, then `file`, then `sname` when option overload (52) says they hold options;
    ///   overload is only honoured in the options field (RFC 2131 §4.1).
    /// - Each area ends at END or at its last byte (a missing END is tolerated); PAD is skipped,
    ///   bytes after END ignored.
    /// - Host name (12) and message (56) are decoded lossily: bytes that are not UTF-8 become
    ///   U+FFFD. They are informational, and refusing an offer over a server's odd host name or
    ///   error text would cost a lease for nothing.
    /// - `hops`, the 10 bytes of `chaddr` after the MAC, the flag bits other than BROADCAST, and
    ///   `sname`/`file` (unless overloaded) are not kept.
    public static func decode(_ input: some Collection<UInt8>) throws(FrameDecodingError) -> DHCPMessage {
        var reader = ByteReader(Array(input), layer: .dhcp)
        try reader.require(bootpHeaderLength)
        let operationCode = try reader.readUInt8()
        let hardwareType = try reader.readUInt8()
        let hardwareLength = try reader.readUInt8()
        guard hardwareType == 1, hardwareLength == 6 else {
            throw .unsupportedBOOTPHardware(type: hardwareType, length: hardwareLength)
        }
        guard let operation = Operation(rawValue: operationCode) else {
            throw .unknownBOOTPOperation(operationCode)
        }
        try reader.skip(1)  // hops
        let transactionID = try reader.readUInt32()
        let seconds = try reader.readUInt16()
        let flags = try reader.readUInt16()
        let clientAddress = try reader.readIPv4()
        let yourAddress = try reader.readIPv4()
        let serverAddress = try reader.readIPv4()
        let relayAddress = try reader.readIPv4()
        let clientHardwareAddress = try reader.readMAC()
        try reader.skip(16 - 6)
        let serverName = try reader.readBytes(serverNameLength)
        let bootFile = try reader.readBytes(bootFileLength)
        let cookie = try reader.readUInt32()
        guard cookie == magicCookie else {
            throw .wrongDHCPMagicCookie(cookie)
        }

        var values: [UInt8: [UInt8]] = [:]
        try collectOptions(in: try reader.readBytes(reader.remaining), into: &values)
        if let overload = values.removeValue(forKey: DHCPOptionCode.overload) {
            guard overload.count == 1 else {
                throw .invalidDHCPOptionLength(code: DHCPOptionCode.overload, length: overload.count)
            }
            guard (1...3).contains(overload[0]) else {
                throw .invalidDHCPOptionOverload(overload[0])
            }
            if overload[0] & 1 != 0 {
                try collectOptions(in: bootFile, into: &values)
            }
            if overload[0] & 2 != 0 {
                try collectOptions(in: serverName, into: &values)
            }
            values.removeValue(forKey: DHCPOptionCode.overload)
        }

        return DHCPMessage(
            operation: operation,
            transactionID: transactionID,
            seconds: seconds,
            broadcast: flags & 0x8000 != 0,
            clientAddress: clientAddress,
            yourAddress: yourAddress,
            serverAddress: serverAddress,
            relayAddress: relayAddress,
            clientHardwareAddress: clientHardwareAddress,
            options: try DHCPOptions(decoding: values))
    }

    /// Appends each option's value in `area` to what earlier instances collected (RFC 3396); an
    /// option present with an empty value is recorded as empty.
    private static func collectOptions(in area: [UInt8], into values: inout [UInt8: [UInt8]])
        throws(FrameDecodingError)
    {
        var reader = ByteReader(area, layer: .dhcpOption)
        while reader.remaining > 0 {
            let code = try reader.readUInt8()
            if code == DHCPOptionCode.pad {
                continue
            }
            if code == DHCPOptionCode.end {
                return
            }
            let length = try reader.readUInt8()
            let value = try reader.readBytes(Int(length))
            values[code, default: []].append(contentsOf: value)
        }
    }
}

extension DHCPOptions {
    /// Code and full value of every option to send: 53 first (RFC 2131 §4.1 does not require it,
    /// but some servers look only there), then the typed ones in code order, then `other` in code
    /// order without the codes in `DHCPOptionCode.notInOther`. Empty lists are not sent.
    internal func encodedValues() -> [(code: UInt8, value: [UInt8])] {
        var encoded: [(code: UInt8, value: [UInt8])] = []
        if let messageType {
            encoded.append((DHCPOptionCode.messageType, [messageType.rawValue]))
        }
        if let subnetMask {
            encoded.append((DHCPOptionCode.subnetMask, Self.bytes(subnetMask)))
        }
        if !routers.isEmpty {
            encoded.append((DHCPOptionCode.routers, routers.flatMap { Self.bytes($0) }))
        }
        if let hostName {
            encoded.append((DHCPOptionCode.hostName, Array(hostName.utf8)))
        }
        if let requestedAddress {
            encoded.append((DHCPOptionCode.requestedAddress, Self.bytes(requestedAddress)))
        }
        if let leaseTime {
            encoded.append((DHCPOptionCode.leaseTime, Self.bytes(leaseTime)))
        }
        if let serverIdentifier {
            encoded.append((DHCPOptionCode.serverIdentifier, Self.bytes(serverIdentifier)))
        }
        if !parameterRequestList.isEmpty {
            encoded.append((DHCPOptionCode.parameterRequestList, parameterRequestList))
        }
        if let message {
            encoded.append((DHCPOptionCode.message, Array(message.utf8)))
        }
        if let maximumMessageSize {
            encoded.append((DHCPOptionCode.maximumMessageSize, Self.bytes(maximumMessageSize)))
        }
        if let renewalTime {
            encoded.append((DHCPOptionCode.renewalTime, Self.bytes(renewalTime)))
        }
        if let rebindingTime {
            encoded.append((DHCPOptionCode.rebindingTime, Self.bytes(rebindingTime)))
        }
        if let clientIdentifier {
            encoded.append((DHCPOptionCode.clientIdentifier, clientIdentifier))
        }
        for code in other.keys.sorted() where !DHCPOptionCode.notInOther.contains(code) {
            encoded.append((code, other[code] ?? []))
        }
        return encoded
    }

    /// Interprets concatenated option values; `values` must not hold overload (52).
    internal init(decoding values: [UInt8: [UInt8]]) throws(FrameDecodingError) {
        var values = values
        var options = DHCPOptions()
        if let value = values.removeValue(forKey: DHCPOptionCode.messageType) {
            guard value.count == 1 else {
                throw .invalidDHCPOptionLength(code: DHCPOptionCode.messageType, length: value.count)
            }
            guard let type = DHCPMessageType(rawValue: value[0]) else {
                throw .unknownDHCPMessageType(value[0])
            }
            options.messageType = type
        }
        options.subnetMask = try Self.address(DHCPOptionCode.subnetMask, from: &values)
        if let value = values.removeValue(forKey: DHCPOptionCode.routers) {
            guard value.count % 4 == 0 else {
                throw .invalidDHCPOptionLength(code: DHCPOptionCode.routers, length: value.count)
            }
            options.routers = stride(from: 0, to: value.count, by: 4).map {
                IPAddress(ipv4: Self.integer(value[$0..<$0 + 4]))
            }
        }
        options.hostName = values.removeValue(forKey: DHCPOptionCode.hostName).map {
            String(decoding: $0, as: UTF8.self)
        }
        options.requestedAddress = try Self.address(DHCPOptionCode.requestedAddress, from: &values)
        options.leaseTime = try Self.integer(DHCPOptionCode.leaseTime, from: &values)
        options.serverIdentifier = try Self.address(DHCPOptionCode.serverIdentifier, from: &values)
        options.parameterRequestList = values.removeValue(forKey: DHCPOptionCode.parameterRequestList) ?? []
        options.message = values.removeValue(forKey: DHCPOptionCode.message).map {
            String(decoding: $0, as: UTF8.self)
        }
        options.maximumMessageSize = try Self.integer(DHCPOptionCode.maximumMessageSize, length: 2, from: &values)
            .map { UInt16(truncatingIfNeeded: $0) }
        options.renewalTime = try Self.integer(DHCPOptionCode.renewalTime, from: &values)
        options.rebindingTime = try Self.integer(DHCPOptionCode.rebindingTime, from: &values)
        options.clientIdentifier = values.removeValue(forKey: DHCPOptionCode.clientIdentifier)
        options.other = values
        self = options
    }

    /// A 4-byte address option, removed from `values`.
    private static func address(_ code: UInt8, from values: inout [UInt8: [UInt8]]) throws(FrameDecodingError)
        -> IPAddress?
    {
        try integer(code, from: &values).map { IPAddress(ipv4: $0) }
    }

    /// A big-endian number of exactly `length` bytes (at most 4), removed from `values`.
    private static func integer(_ code: UInt8, length: Int = 4, from values: inout [UInt8: [UInt8]])
        throws(FrameDecodingError) -> UInt32?
    {
        guard let value = values.removeValue(forKey: code) else {
            return nil
        }
        guard value.count == length else {
            throw .invalidDHCPOptionLength(code: code, length: value.count)
        }
        return integer(value[...])
    }

    private static func integer(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func bytes(_ address: IPAddress) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendIPv4(address)
        return bytes
    }

    private static func bytes<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(value)
        return bytes
    }
}
