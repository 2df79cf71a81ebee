import NetworkAddresses
import NetworkFrames
import Testing

@Suite("Internet checksum")
struct InternetChecksumTests {
    @Test("matches the worked example of RFC 1071 section 3")
    func rfc1071Example() {
        // The sum of 0001 f203 f4f5 f6f7 folds to ddf2; the checksum is its complement.
        #expect(InternetChecksum.of([0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7]) == 0x220D)
    }

    @Test("pads an odd final byte with zero")
    func oddLength() {
        #expect(InternetChecksum.of([0x12, 0x34, 0x56]) == InternetChecksum.of([0x12, 0x34, 0x56, 0x00]))
    }

    @Test("ICMPv6 checksum includes the RFC 4443 pseudo-header (known answer)")
    func icmpv6KnownAnswer() {
        // Unsolicited NA for 2001:db8::100 from fe80::1 to ff02::1, checksum field zero; the value
        // was computed independently with a short Python script from the RFC 4443 §2.3 layout.
        let message = hexBytes(
            """
            88 00 00 00  20 00 00 00
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 01 00
            02 01 02 00 00 00 00 01
            """)
        let checksum = InternetChecksum.icmpv6(
            source: address("fe80::1"), destination: address("ff02::1"), message: message)
        #expect(checksum == 0x2764)
    }

    @Test("a message carrying its correct checksum sums to zero")
    func verifiesToZero() {
        var message = hexBytes("87 00 00 00 00 00 00 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 01 00")
        let source = address("::")
        let destination = address("ff02::1:ff00:100")
        let checksum = InternetChecksum.icmpv6(source: source, destination: destination, message: message)
        #expect(checksum == 0x4AEF)
        message[2] = UInt8(checksum >> 8)
        message[3] = UInt8(checksum & 0xFF)
        #expect(InternetChecksum.icmpv6(source: source, destination: destination, message: message) == 0)
    }
}
