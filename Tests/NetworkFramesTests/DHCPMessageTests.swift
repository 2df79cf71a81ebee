import NetworkAddresses
import NetworkFrames
import PropertyBased
import Testing

/// A reply to 02:00:00:00:01:01 offering 198.51.100.50, with the given option area, `sname` and
/// `file` (each zero-padded to its size), for tests that need the options laid out by hand.
private func reply(options: String, sname: [UInt8] = [], file: [UInt8] = []) -> [UInt8] {
    hexBytes("02 01 06 00  3903f326  0000 0000  00000000 c6336432 00000000 00000000")
        + hexBytes("020000000101 00000000000000000000")
        + sname + [UInt8](repeating: 0, count: 64 - sname.count)
        + file + [UInt8](repeating: 0, count: 128 - file.count)
        + hexBytes("63825363") + hexBytes(options)
}

private func replyMessage(_ options: DHCPOptions) -> DHCPMessage {
    DHCPMessage(
        operation: .reply, transactionID: DHCPSamples.transactionID, yourAddress: DHCPSamples.offered,
        clientHardwareAddress: DHCPSamples.clientMAC, options: options)
}

@Suite("DHCP messages: known bytes")
struct DHCPKnownMessageTests {
    @Test("the known DISCOVER decodes field by field")
    func discoverDecodes() throws {
        let message = try DHCPMessage.decode(DHCPSamples.discover)
        #expect(message.operation == .request)
        #expect(message.transactionID == 0x3903_F326)
        #expect(message.seconds == 0)
        #expect(message.broadcast == false)
        #expect(message.clientAddress == .ipv4Unspecified)
        #expect(message.yourAddress == .ipv4Unspecified)
        #expect(message.serverAddress == .ipv4Unspecified)
        #expect(message.relayAddress == .ipv4Unspecified)
        #expect(message.clientHardwareAddress == mac("02:00:00:00:01:01"))
        #expect(message.options.messageType == .discover)
        #expect(message.options.hostName == "vip-1234")
        #expect(message.options.requestedAddress == address("198.51.100.50"))
        #expect(message.options.parameterRequestList == [1, 3, 51, 54, 58, 59])
        #expect(message.options.maximumMessageSize == 1500)
        #expect(message.options.clientIdentifier == [1, 2, 0, 0, 0, 1, 1])
        #expect(message.options.other.isEmpty)
        #expect(message == DHCPSamples.discoverMessage)
    }

    @Test("encoding the DISCOVER gives the bytes dnsmasq accepted")
    func discoverEncodes() {
        #expect(DHCPSamples.discoverMessage.encode() == DHCPSamples.discover)
    }

    @Test("dnsmasq's OFFER decodes field by field")
    func offerDecodes() throws {
        let message = try DHCPMessage.decode(DHCPSamples.offer)
        #expect(message.operation == .reply)
        #expect(message.transactionID == 0x3903_F326)
        #expect(message.yourAddress == address("198.51.100.50"))
        #expect(message.serverAddress == address("198.51.100.1"))
        #expect(message.clientAddress == .ipv4Unspecified)
        #expect(message.relayAddress == .ipv4Unspecified)
        #expect(message.broadcast == false)
        #expect(message.clientHardwareAddress == DHCPSamples.clientMAC)
        #expect(message.options.messageType == .offer)
        #expect(message.options.serverIdentifier == address("198.51.100.1"))
        #expect(message.options.leaseTime == 120)
        #expect(message.options.renewalTime == 60)
        #expect(message.options.rebindingTime == 105)
        #expect(message.options.subnetMask == address("255.255.255.0"))
        #expect(message.options.routers == [address("198.51.100.1")])
        #expect(message.options.other == [28: [198, 51, 100, 255]])
        #expect(message == DHCPSamples.replyMessage(.offer))
    }

    @Test("dnsmasq's ACK decodes to the same lease as its OFFER")
    func ackDecodes() throws {
        #expect(try DHCPMessage.decode(DHCPSamples.ack) == DHCPSamples.replyMessage(.ack))
    }

    @Test("re-encoding dnsmasq's OFFER keeps every option, 53 first, then in code order")
    func offerReencodes() throws {
        let reencoded = try DHCPMessage.decode(DHCPSamples.offer).encode()
        let expected = DHCPSamples.bootpHeader(op: "02", yiaddr: "c6336432", siaddr: "c6336401") + hexBytes(
            """
            63825363
            35 01 02
            01 04 ffffff00
            03 04 c6336401
            33 04 00000078
            36 04 c6336401
            3a 04 0000003c
            3b 04 00000069
            1c 04 c63364ff
            ff
            """) + [UInt8](repeating: 0, count: 14)
        #expect(reencoded == expected)
    }
}

@Suite("DHCP messages: encoding")
struct DHCPEncodingTests {
    private let bare = DHCPMessage(
        operation: .request, transactionID: 1, clientHardwareAddress: DHCPSamples.clientMAC, options: DHCPOptions())

    @Test("a message without options is END then PAD up to 300 bytes")
    func paddedToMinimum() {
        let bytes = bare.encode()
        #expect(bytes.count == 300)
        #expect(Array(bytes[236..<240]) == [99, 130, 83, 99])
        #expect(bytes[240] == 255)
        #expect(bytes[241...].allSatisfy { $0 == 0 })
    }

    @Test("a message longer than 300 bytes ends with END and no padding")
    func longMessageNotPadded() {
        var message = bare
        message.options.message = String(repeating: "x", count: 200)
        let bytes = message.encode()
        #expect(bytes.count == 240 + 2 + 200 + 1)
        #expect(bytes.last == 255)
    }

    @Test("the fixed header has htype 1, hlen 6, hops 0, chaddr padded to 16 and sname/file zero")
    func fixedHeader() {
        var message = bare
        message.seconds = 0x0102
        message.clientAddress = address("198.51.100.7")
        message.relayAddress = address("203.0.113.1")
        let bytes = message.encode()
        #expect(Array(bytes[0..<4]) == [1, 1, 6, 0])
        #expect(Array(bytes[4..<8]) == [0, 0, 0, 1])
        #expect(Array(bytes[8..<10]) == [1, 2])
        #expect(Array(bytes[12..<16]) == [198, 51, 100, 7])
        #expect(Array(bytes[24..<28]) == [203, 0, 113, 1])
        #expect(Array(bytes[28..<34]) == DHCPSamples.clientMAC.bytes)
        #expect(bytes[34..<236].allSatisfy { $0 == 0 })
    }

    @Test("broadcast sets only the top bit of flags")
    func broadcastFlag() {
        var message = bare
        message.broadcast = true
        let bytes = message.encode()
        #expect(Array(bytes[10..<12]) == [0x80, 0x00])
    }

    @Test("option 53 comes first, then the typed options in code order, then other in code order")
    func optionOrder() {
        var message = bare
        message.options = DHCPOptions(
            messageType: .request, subnetMask: address("255.255.255.0"), hostName: "a",
            serverIdentifier: address("198.51.100.1"), clientIdentifier: [0],
            other: [81: [1], 60: [2], 43: [3]])
        let bytes = message.encode()
        var codes: [UInt8] = []
        var offset = 240
        while bytes[offset] != 255 {
            codes.append(bytes[offset])
            offset += 2 + Int(bytes[offset + 1])
        }
        #expect(codes == [53, 1, 12, 54, 61, 43, 60, 81])
    }

    @Test("a value longer than 255 bytes is split into several instances (RFC 3396)")
    func longValueSplit() throws {
        var message = bare
        message.options.clientIdentifier = (0..<600).map { UInt8(truncatingIfNeeded: $0) }
        let bytes = message.encode()
        #expect(Array(bytes[240..<242]) == [61, 255])
        #expect(Array(bytes[497..<499]) == [61, 255])
        #expect(Array(bytes[754..<756]) == [61, 90])
        #expect(bytes[846] == 255)
        #expect(try DHCPMessage.decode(bytes) == message)
    }

    @Test("an empty value is sent as one empty instance")
    func emptyValue() throws {
        var message = bare
        message.options.other = [80: []]
        let bytes = message.encode()
        #expect(Array(bytes[240..<243]) == [80, 0, 255])
        #expect(try DHCPMessage.decode(bytes) == message)
    }

    @Test("other never emits PAD, END, overload or a code that has a typed field")
    func reservedCodesInOtherSkipped() {
        var message = bare
        message.options.other = [0: [1], 255: [1], 52: [3], 53: [1], 54: [1, 2, 3, 4], 61: [9]]
        #expect(message.encode() == bare.encode())
    }

    @Test("host name and message are sent as their UTF-8 bytes")
    func utf8Strings() {
        var message = bare
        message.options.hostName = "né"
        message.options.message = "日"
        let bytes = message.encode()
        #expect(Array(bytes[240..<245]) == [12, 3, 0x6E, 0xC3, 0xA9])
        #expect(Array(bytes[245..<250]) == [56, 3, 0xE6, 0x97, 0xA5])
    }

    @Test("empty router and parameter request lists are not sent")
    func emptyListsOmitted() {
        var message = bare
        message.options.routers = []
        message.options.parameterRequestList = []
        #expect(message.encode()[240] == 255)
    }
}

@Suite("DHCP messages: decoding")
struct DHCPDecodingTests {
    @Test("any message survives encoding and decoding")
    func roundTrip() async {
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SplitMix64(seed: seed)
            let message = random.dhcpMessage()
            #expect((try? DHCPMessage.decode(message.encode())) == message)
        }
    }

    @Test("repeated instances of one option are concatenated before they are read (RFC 3396)")
    func repeatedInstancesConcatenated() throws {
        let bytes = reply(options: "36 02 c633  03 04 c6336401  36 02 6401  03 04 c63364fe  ff")
        let message = try DHCPMessage.decode(bytes)
        #expect(message.options.serverIdentifier == address("198.51.100.1"))
        #expect(message.options.routers == [address("198.51.100.1"), address("198.51.100.254")])
    }

    @Test("overload 1 continues the options in file")
    func overloadFile() throws {
        let bytes = reply(options: "35 01 02  34 01 01  ff", file: hexBytes("36 04 c6336401 ff"))
        let message = try DHCPMessage.decode(bytes)
        #expect(message == replyMessage(DHCPOptions(messageType: .offer, serverIdentifier: address("198.51.100.1"))))
    }

    @Test("overload 2 continues the options in sname")
    func overloadServerName() throws {
        let bytes = reply(options: "35 01 02  34 01 02  ff", sname: hexBytes("33 04 00000e10 ff"))
        #expect(try DHCPMessage.decode(bytes).options.leaseTime == 3600)
    }

    @Test("overload 3 concatenates options, then file, then sname")
    func overloadBothInOrder() throws {
        let bytes = reply(
            options: "34 01 03  3d 02 0102  ff", sname: hexBytes("3d 01 05 ff"), file: hexBytes("3d 02 0304 ff"))
        #expect(try DHCPMessage.decode(bytes).options.clientIdentifier == [1, 2, 3, 4, 5])
    }

    @Test("without overload, option bytes in file and sname are ignored")
    func noOverloadIgnoresFile() throws {
        let bytes = reply(options: "35 01 02 ff", sname: hexBytes("36 09"), file: hexBytes("33 04 00000e10"))
        #expect(try DHCPMessage.decode(bytes) == replyMessage(DHCPOptions(messageType: .offer)))
    }

    @Test("an overload option inside file does not pull in sname")
    func overloadOnlyFromOptionsField() throws {
        let bytes = reply(options: "34 01 01 ff", sname: hexBytes("33 04 00000e10"), file: hexBytes("34 01 03 ff"))
        #expect(try DHCPMessage.decode(bytes) == replyMessage(DHCPOptions()))
    }

    @Test("PAD between options is skipped")
    func padSkipped() throws {
        let bytes = reply(options: "00 00 35 01 05 00 ff")
        #expect(try DHCPMessage.decode(bytes).options.messageType == .ack)
    }

    @Test("bytes after END are ignored, even if they are not options")
    func bytesAfterEndIgnored() throws {
        let bytes = reply(options: "35 01 05 ff 36 09 01")
        #expect(try DHCPMessage.decode(bytes) == replyMessage(DHCPOptions(messageType: .ack)))
    }

    @Test("an option area without END ends at its last byte")
    func missingEndTolerated() throws {
        let bytes = reply(options: "35 01 05")
        #expect(try DHCPMessage.decode(bytes).options.messageType == .ack)
    }

    @Test("a cookie with no options at all decodes to empty options")
    func noOptions() throws {
        #expect(try DHCPMessage.decode(reply(options: "")) == replyMessage(DHCPOptions()))
    }

    @Test("a host name and message that are not UTF-8 decode lossily")
    func invalidUTF8Lossy() throws {
        let bytes = reply(options: "0c 03 61 ff 62  38 02 c3 28  ff")
        let message = try DHCPMessage.decode(bytes)
        #expect(message.options.hostName == "a\u{FFFD}b")
        #expect(message.options.message == "\u{FFFD}(")
    }

    @Test("bits of flags other than BROADCAST and the rest of chaddr are not kept")
    func ignoredHeaderBits() throws {
        var bytes = reply(options: "ff")
        bytes[10] = 0x80
        bytes[11] = 0x01
        bytes[3] = 4  // hops
        bytes[34] = 0xEE  // chaddr beyond the six bytes of the MAC
        let message = try DHCPMessage.decode(bytes)
        #expect(message.broadcast)
        #expect(message.clientHardwareAddress == DHCPSamples.clientMAC)
    }
}

@Suite("DHCP messages: rejections")
struct DHCPRejectionTests {
    @Test("a header shorter than 236 bytes is truncated")
    func truncatedHeader() {
        #expect(throws: FrameDecodingError.truncated(.dhcp, needed: 236, available: 235)) {
            try DHCPMessage.decode(reply(options: "").prefix(235))
        }
    }

    @Test("a BOOTP header without a magic cookie is truncated")
    func missingMagicCookie() {
        #expect(throws: FrameDecodingError.truncated(.dhcp, needed: 240, available: 238)) {
            try DHCPMessage.decode(reply(options: "").prefix(238))
        }
    }

    @Test("a wrong magic cookie is refused")
    func wrongMagicCookie() {
        var bytes = reply(options: "35 01 02 ff")
        bytes[239] = 0x64
        #expect(throws: FrameDecodingError.wrongDHCPMagicCookie(0x6382_5364)) { try DHCPMessage.decode(bytes) }
    }

    @Test("a hardware type other than Ethernet is refused")
    func nonEthernetHardwareType() {
        var bytes = reply(options: "ff")
        bytes[1] = 6
        #expect(throws: FrameDecodingError.unsupportedBOOTPHardware(type: 6, length: 6)) {
            try DHCPMessage.decode(bytes)
        }
    }

    @Test("a hardware address length other than 6 is refused")
    func wrongHardwareLength() {
        var bytes = reply(options: "ff")
        bytes[2] = 16
        #expect(throws: FrameDecodingError.unsupportedBOOTPHardware(type: 1, length: 16)) {
            try DHCPMessage.decode(bytes)
        }
    }

    @Test("an op other than BOOTREQUEST or BOOTREPLY is refused", arguments: [0, 3, 255] as [UInt8])
    func badOperation(op: UInt8) {
        var bytes = reply(options: "ff")
        bytes[0] = op
        #expect(throws: FrameDecodingError.unknownBOOTPOperation(op)) { try DHCPMessage.decode(bytes) }
    }

    @Test("an option whose length runs past the end of the message is refused")
    func optionOverrunsMessage() {
        #expect(throws: FrameDecodingError.truncated(.dhcpOption, needed: 13, available: 7)) {
            try DHCPMessage.decode(reply(options: "35 01 01 0c 08 76 69"))
        }
    }

    @Test("an option code without its length byte is refused")
    func optionWithoutLength() {
        #expect(throws: FrameDecodingError.truncated(.dhcpOption, needed: 5, available: 4)) {
            try DHCPMessage.decode(reply(options: "35 01 01 0c"))
        }
    }

    @Test("an option in an overloaded file that runs past the field is refused")
    func optionOverrunsFile() {
        let file = [UInt8](repeating: 0, count: 126) + [61, 9]
        #expect(throws: FrameDecodingError.truncated(.dhcpOption, needed: 137, available: 128)) {
            try DHCPMessage.decode(reply(options: "34 01 01 ff", file: file))
        }
    }

    @Test("a message type that is not one byte is refused")
    func messageTypeWrongLength() {
        #expect(throws: FrameDecodingError.invalidDHCPOptionLength(code: 53, length: 2)) {
            try DHCPMessage.decode(reply(options: "35 02 01 01 ff"))
        }
    }

    @Test("an unknown message type value is refused", arguments: [0, 9, 18] as [UInt8])
    func unknownMessageType(value: UInt8) {
        #expect(throws: FrameDecodingError.unknownDHCPMessageType(value)) {
            try DHCPMessage.decode(reply(options: "35 01") + [value, 255])
        }
    }

    @Test(
        "an address or time option that is not 4 bytes is refused",
        arguments: [1, 50, 51, 54, 58, 59] as [UInt8], [0, 3, 5] as [UInt8])
    func fourByteOptionWrongLength(code: UInt8, length: UInt8) {
        let bytes = reply(options: "") + [code, length] + [UInt8](repeating: 1, count: Int(length)) + [255]
        #expect(throws: FrameDecodingError.invalidDHCPOptionLength(code: code, length: Int(length))) {
            try DHCPMessage.decode(bytes)
        }
    }

    @Test("a server identifier sent twice is 8 bytes once concatenated, and refused")
    func repeatedServerIdentifier() {
        #expect(throws: FrameDecodingError.invalidDHCPOptionLength(code: 54, length: 8)) {
            try DHCPMessage.decode(reply(options: "36 04 c6336401 36 04 c6336402 ff"))
        }
    }

    @Test("a maximum message size that is not 2 bytes is refused")
    func maximumMessageSizeWrongLength() {
        #expect(throws: FrameDecodingError.invalidDHCPOptionLength(code: 57, length: 4)) {
            try DHCPMessage.decode(reply(options: "39 04 000005dc ff"))
        }
    }

    @Test("a router list that is not a multiple of 4 bytes is refused")
    func routersNotMultipleOfFour() {
        #expect(throws: FrameDecodingError.invalidDHCPOptionLength(code: 3, length: 6)) {
            try DHCPMessage.decode(reply(options: "03 06 c6336401 c633 ff"))
        }
    }

    @Test("an overload option that is not one byte is refused")
    func overloadWrongLength() {
        #expect(throws: FrameDecodingError.invalidDHCPOptionLength(code: 52, length: 2)) {
            try DHCPMessage.decode(reply(options: "34 02 01 02 ff"))
        }
    }

    @Test("an overload value other than 1, 2 or 3 is refused", arguments: [0, 4, 255] as [UInt8])
    func overloadBadValue(value: UInt8) {
        #expect(throws: FrameDecodingError.invalidDHCPOptionOverload(value)) {
            try DHCPMessage.decode(reply(options: "34 01") + [value, 255])
        }
    }

    @Test("a typed option of the wrong length found in an overloaded field is refused")
    func wrongLengthInOverloadedField() {
        #expect(throws: FrameDecodingError.invalidDHCPOptionLength(code: 51, length: 2)) {
            try DHCPMessage.decode(reply(options: "34 01 02 ff", sname: hexBytes("33 02 0e10 ff")))
        }
    }
}
