import NetworkAddresses
import NetworkFrames

/// DHCP messages and frames whose bytes are known independently of our encoder.
///
/// The DISCOVER was built by a separate Python script from RFC 2131 and accepted by dnsmasq 2.90
/// in a namespace lab; the OFFER and ACK are dnsmasq's replies to it, captured on the client's
/// AF_PACKET socket (range 198.51.100.50-59, lease 2m). Fields are laid out as in RFC 2131 §2.
enum DHCPSamples {
    static let clientMAC = mac("02:00:00:00:01:01")
    static let serverMAC = mac("02:00:00:00:00:04")
    static let server = address("198.51.100.1")
    static let offered = address("198.51.100.50")
    static let transactionID: UInt32 = 0x3903_F326

    /// `sname` and `file` zero, as every sample here has them.
    static let emptyNameAndFile = [UInt8](repeating: 0, count: 64 + 128)

    /// op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr (16).
    static func bootpHeader(op: String, yiaddr: String, siaddr: String) -> [UInt8] {
        hexBytes("\(op) 01 06 00  3903f326  0000 0000  00000000 \(yiaddr) \(siaddr) 00000000")
            + hexBytes("020000000101 00000000000000000000") + emptyNameAndFile
    }

    static let discoverOptions = hexBytes(
        """
        63825363
        35 01 01
        0c 08 7669702d31323334
        32 04 c6336432
        37 06 01 03 33 36 3a 3b
        39 02 05dc
        3d 07 01 020000000101
        ff
        """)

    /// 300 bytes: the 281 above padded with PAD.
    static let discover: [UInt8] = {
        let bytes = bootpHeader(op: "01", yiaddr: "00000000", siaddr: "00000000") + discoverOptions
        return bytes + [UInt8](repeating: 0, count: 300 - bytes.count)
    }()

    static let discoverMessage = DHCPMessage(
        operation: .request, transactionID: transactionID, clientHardwareAddress: clientMAC,
        options: DHCPOptions(
            messageType: .discover, hostName: "vip-1234", requestedAddress: offered,
            parameterRequestList: [1, 3, 51, 54, 58, 59], maximumMessageSize: 1500,
            clientIdentifier: [1] + clientMAC.bytes))

    /// dnsmasq's order: 53, 54, 51, 58, 59, 1, 28, 3.
    static func dnsmasqReplyOptions(type: UInt8) -> [UInt8] {
        hexBytes(
            """
            63825363
            35 01 0\(type)
            36 04 c6336401
            33 04 00000078
            3a 04 0000003c
            3b 04 00000069
            01 04 ffffff00
            1c 04 c63364ff
            03 04 c6336401
            ff
            """) + [UInt8](repeating: 0, count: 14)
    }

    static let offer = bootpHeader(op: "02", yiaddr: "c6336432", siaddr: "c6336401") + dnsmasqReplyOptions(type: 2)
    static let ack = bootpHeader(op: "02", yiaddr: "c6336432", siaddr: "c6336401") + dnsmasqReplyOptions(type: 5)

    static func replyMessage(_ type: DHCPMessageType) -> DHCPMessage {
        DHCPMessage(
            operation: .reply, transactionID: transactionID, yourAddress: offered, serverAddress: server,
            clientHardwareAddress: clientMAC,
            options: DHCPOptions(
                messageType: type, subnetMask: address("255.255.255.0"), routers: [server], leaseTime: 120,
                serverIdentifier: server, renewalTime: 60, rebindingTime: 105,
                other: [DHCPOptionCode.broadcastAddress: [198, 51, 100, 255]]))
    }

    /// The DISCOVER as a broadcast frame from 0.0.0.0:68 to 255.255.255.255:67 (342 bytes).
    static let discoverFrame =
        hexBytes(
            """
            ffffffffffff 020000000101 0800
            45 00 0148 0000 0000 40 11 79a6 00000000 ffffffff
            0044 0043 0134 0815
            """) + discover

    /// The ACK as it reached the client: TOS 0xc0, id 6089, and the UDP checksum field still holding
    /// the offload placeholder 0x55e0 (the pseudo-header sum), because dnsmasq's kernel left the
    /// checksum to a NIC that a veth does not have.
    static let ackFrame =
        hexBytes(
            """
            020000000101 020000000004 0800
            45 c0 0148 17c9 0000 40 11 0c82 c6336401 c6336432
            0043 0044 0134 55e0
            """) + ack

    /// A reply frame as a server would send it, built with our encoder (real UDP checksum).
    static func serverFrame(_ message: DHCPMessage) -> [UInt8] {
        DHCPFrame.encode(
            message, sourceHardwareAddress: serverMAC, destinationHardwareAddress: clientMAC, source: server,
            destination: offered, sourcePort: DHCPFrame.serverPort, destinationPort: DHCPFrame.clientPort)
    }
}

extension SplitMix64 {
    /// Any message the codec can represent: every typed option present or not, long values that
    /// need RFC 3396 splitting, and `other` options with codes the typed fields do not use.
    mutating func dhcpMessage() -> DHCPMessage {
        var options = DHCPOptions()
        options.messageType = maybe { DHCPMessageType.allCases.randomElement(using: &$0) } ?? nil
        options.subnetMask = maybe { $0.ipv4() }
        options.routers = (0..<Int.random(in: 0...3, using: &self)).map { _ in ipv4() }
        options.hostName = maybe { $0.text() }
        options.requestedAddress = maybe { $0.ipv4() }
        options.leaseTime = maybe { UInt32.random(in: 0...UInt32.max, using: &$0) }
        options.serverIdentifier = maybe { $0.ipv4() }
        options.parameterRequestList = bytes(count: Int.random(in: 0...12, using: &self))
        options.message = maybe { $0.text() }
        options.maximumMessageSize = maybe { UInt16.random(in: 0...UInt16.max, using: &$0) }
        options.renewalTime = maybe { UInt32.random(in: 0...UInt32.max, using: &$0) }
        options.rebindingTime = maybe { UInt32.random(in: 0...UInt32.max, using: &$0) }
        options.clientIdentifier = maybe { $0.bytes(count: Int.random(in: 0...300, using: &$0)) }
        for _ in 0..<Int.random(in: 0...4, using: &self) {
            let code = UInt8.random(in: 1...254, using: &self)
            if !DHCPOptionCode.notInOther.contains(code) {
                options.other[code] = bytes(count: Int.random(in: 0...600, using: &self))
            }
        }
        return DHCPMessage(
            operation: Bool.random(using: &self) ? .request : .reply,
            transactionID: UInt32.random(in: 0...UInt32.max, using: &self),
            seconds: UInt16.random(in: 0...UInt16.max, using: &self),
            broadcast: Bool.random(using: &self),
            clientAddress: ipv4(), yourAddress: ipv4(), serverAddress: ipv4(), relayAddress: ipv4(),
            clientHardwareAddress: macAddress(), options: options)
    }

    mutating func maybe<T>(_ make: (inout SplitMix64) -> T) -> T? {
        Bool.random(using: &self) ? make(&self) : nil
    }

    /// Up to 300 characters mixing ASCII and multi-byte UTF-8, so lengths in bytes and characters differ.
    mutating func text() -> String {
        let alphabet = Array("abcXYZ019-. é日本🙂")
        let count = Int.random(in: 0...300, using: &self)
        return String((0..<count).compactMap { _ in alphabet.randomElement(using: &self) })
    }
}
