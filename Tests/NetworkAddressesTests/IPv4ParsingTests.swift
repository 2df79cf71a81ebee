import NetworkAddresses
import Testing

@Suite("IPv4 parsing")
struct IPv4ParsingTests {
    @Test(arguments: [
        ("0.0.0.0", 0x0000_0000 as UInt32),
        ("255.255.255.255", 0xFFFF_FFFF),
        ("192.0.2.1", 0xC000_0201),
        ("198.51.100.7", 0xC633_6407),
        ("203.0.113.255", 0xCB00_71FF),
        ("192.0.2.10", 0xC000_020A),
        ("192.0.2.100", 0xC000_0264),
    ])
    func dottedQuadParsesToItsValue(text: String, expected: UInt32) {
        #expect(IPAddress(text) == IPAddress(ipv4: expected))
        #expect(IPAddress(text)?.family == .ipv4)
    }

    @Test(arguments: [
        ("", "empty address"),
        ("192.0.2.256", "octet 256 is out of range 0-255"),
        ("192.0.2.99999999999999999999", "octet 99999999999999999999 is out of range 0-255"),
        ("192.0.2.010", "IPv4 octet '010' has a leading zero"),
        ("00.0.0.0", "IPv4 octet '00' has a leading zero"),
        ("192.0.2", "expected 4 dotted octets"),
        ("192.0.2.1.7", "expected 4 dotted octets"),
        ("192.0.2.1.", "expected 4 dotted octets"),
        ("192", "expected 4 dotted octets"),
        ("192.0..1", "empty IPv4 octet"),
        (".192.0.2", "empty IPv4 octet"),
        ("192.0.2.x", "invalid character 'x'"),
        ("192.0.2.1e", "invalid character 'e'"),
        ("+192.0.2.1", "invalid character '+'"),
        ("192.0.2.-1", "invalid character '-'"),
        (" 192.0.2.1", "invalid character ' '"),
        ("192.0.2.1 ", "invalid character ' '"),
        ("192.0.2.1\n", "invalid character '\\n'"),
        ("192.0.2.1/24", "invalid character '/'"),
        ("192.0.2.1:80", "invalid character ':'"),
        ("192.0.2.1%eth0", "zone identifiers ('%eth0') are not allowed"),
        ("192.0.2.é", "invalid character 'é'"),
        ("１92.0.2.1", "invalid character '１'"),
    ])
    func invalidIPv4IsRejectedWithAReason(text: String, reason: String) {
        #expect(addressParseFailure(text) == reason)
        #expect(IPAddress(text) == nil)
    }

    @Test func zeroOctetItselfIsNotALeadingZero() throws {
        #expect(try address("192.0.2.0").value == 0xC000_0200)
        #expect(try address("0.0.0.0").value == 0)
    }

    @Test func errorsWithTheSameReasonAreEqual() {
        let first = IPAddress.parse("192.0.2.256")
        let second = IPAddress.parse("198.51.100.256")
        let other = IPAddress.parse("192.0.2.257")
        #expect(first == second)
        #expect(first != other)
    }

    @Test func parsesSlicesOfALargerStringWithoutTrimming() throws {
        let list = "é,192.0.2.1,198.51.100.7, 203.0.113.9"
        let results = list.split(separator: ",").map { IPAddress.parse($0) }
        #expect(results.count == 4)
        #expect(try results[1].get() == IPAddress(ipv4: 0xC000_0201))
        #expect(try results[2].get() == IPAddress(ipv4: 0xC633_6407))
        guard case .failure(let error) = results[3] else {
            Issue.record("a leading space must not be trimmed")
            return
        }
        #expect(error.description == "invalid character ' '")
    }
}
