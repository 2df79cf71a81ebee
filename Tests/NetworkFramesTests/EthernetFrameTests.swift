import NetworkFrames
import Testing

@Suite("Ethernet frames")
struct EthernetFrameTests {
    @Test("encodes destination, source, EtherType, then the payload")
    func encodesLayout() {
        let frame = EthernetFrame(
            destination: mac("33:33:00:00:00:01"), source: mac("02:00:00:00:00:01"), etherType: .ipv6,
            payload: [0xAA, 0xBB])
        #expect(frame.encode() == hexBytes("33 33 00 00 00 01  02 00 00 00 00 01  86 dd  aa bb"))
    }

    @Test("decodes any EtherType and keeps trailing bytes in the payload")
    func decodesForeignType() throws {
        let frame = try EthernetFrame.decode(hexBytes("ff ff ff ff ff ff  02 00 00 00 00 02  88 cc  01 02 03"))
        #expect(frame.etherType == EtherType(rawValue: 0x88CC))
        #expect(frame.source == mac("02:00:00:00:00:02"))
        #expect(frame.payload == [1, 2, 3])
    }

    @Test("refuses an IEEE 802.3 length field")
    func refusesLengthField() {
        let bytes = hexBytes("ff ff ff ff ff ff  02 00 00 00 00 02  00 2e")
        #expect(throws: FrameDecodingError.notEthernetII(lengthField: 0x2E)) { try EthernetFrame.decode(bytes) }
    }

    @Test("refuses a header shorter than 14 bytes")
    func refusesShortHeader() {
        #expect(throws: FrameDecodingError.truncated(.ethernet, needed: 14, available: 13)) {
            try EthernetFrame.decode([UInt8](repeating: 0xFF, count: 13))
        }
    }

    @Test("EtherTypes print as four hex digits")
    func etherTypeDescription() {
        #expect(EtherType.arp.description == "0x0806")
        #expect(EtherType.ipv6.description == "0x86dd")
    }
}
