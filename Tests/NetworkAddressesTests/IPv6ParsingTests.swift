import NetworkAddresses
import Testing

@Suite("IPv6 parsing")
struct IPv6ParsingTests {
    @Test(arguments: [
        ("::", 0 as UInt128),
        ("::1", 1),
        ("1::", 0x0001_0000_0000_0000_0000_0000_0000_0000),
        ("2001:db8::1", 0x2001_0DB8_0000_0000_0000_0000_0000_0001),
        ("2001:DB8::1", 0x2001_0DB8_0000_0000_0000_0000_0000_0001),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", 0x2001_0DB8_0000_0000_0000_0000_0000_0001),
        ("2001:db8:0:0:0:0:0:1", 0x2001_0DB8_0000_0000_0000_0000_0000_0001),
        ("2001:db8:aBcD:Ef01:2345:6789:a:b", 0x2001_0DB8_ABCD_EF01_2345_6789_000A_000B),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", UInt128.max),
        ("1:2:3:4:5:6:7::", 0x0001_0002_0003_0004_0005_0006_0007_0000),
        ("::2:3:4:5:6:7:8", 0x0000_0002_0003_0004_0005_0006_0007_0008),
        ("2001:db8::1:0:0:1", 0x2001_0DB8_0000_0000_0001_0000_0000_0001),
    ])
    func rfc4291TextParsesToItsValue(text: String, expected: UInt128) {
        #expect(IPAddress(text) == IPAddress(ipv6: expected))
        #expect(IPAddress(text)?.family == .ipv6)
    }

    @Test(arguments: [
        ("::ffff:192.0.2.1", 0x0000_0000_0000_0000_0000_FFFF_C000_0201 as UInt128),
        ("64:ff9b::198.51.100.7", 0x0064_FF9B_0000_0000_0000_0000_C633_6407),
        ("::203.0.113.9", 0x0000_0000_0000_0000_0000_0000_CB00_7109),
        ("2001:db8:1:2:3:4:203.0.113.9", 0x2001_0DB8_0001_0002_0003_0004_CB00_7109),
        ("2001:db8::1:203.0.113.9", 0x2001_0DB8_0000_0000_0000_0001_CB00_7109),
    ])
    func embeddedIPv4FillsTheLastTwoGroups(text: String, expected: UInt128) {
        #expect(IPAddress(text) == IPAddress(ipv6: expected))
    }

    @Test(arguments: [
        (":", "IPv6 address starts with a single ':'"),
        (":1:2:3:4:5:6:7", "IPv6 address starts with a single ':'"),
        ("1:2:3:4:5:6:7:", "IPv6 address ends with a single ':'"),
        ("2001:db8::1:", "IPv6 address ends with a single ':'"),
        (":::", "':::' is not valid"),
        ("2001:db8:::1", "':::' is not valid"),
        ("2001::db8::1", "more than one '::'"),
        ("::1::", "more than one '::'"),
        ("2001:db8::fffff", "IPv6 group 'fffff' is longer than 4 hex digits"),
        ("02001:db8::1", "IPv6 group '02001' is longer than 4 hex digits"),
        ("1:2:3:4:5:6:7:8:9", "too many groups"),
        ("1:2:3:4:5:6:7:8:", "IPv6 address ends with a single ':'"),
        ("1:2:3:4:5:6:7", "too few groups (expected 8, or '::')"),
        ("2001:db8", "too few groups (expected 8, or '::')"),
        ("1:2:3:4::5:6:7:8", "'::' must stand for at least one zero group"),
        ("1:2:3:4:5:6:7:8::", "'::' must stand for at least one zero group"),
        ("fe80::1%eth0", "zone identifiers ('%eth0') are not allowed"),
        ("fe80::%2", "zone identifiers ('%2') are not allowed"),
        ("2001:db8::g", "invalid character 'g'"),
        ("2001:db8:g::1", "invalid character 'g'"),
        ("2001:db8::0x1", "invalid character 'x'"),
        ("2001:db8::1 ", "invalid character ' '"),
        ("2001:db8::-1", "invalid character '-'"),
        ("[2001:db8::1]", "invalid character '['"),
    ])
    func invalidIPv6IsRejectedWithAReason(text: String, reason: String) {
        #expect(addressParseFailure(text) == reason)
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("::ffff:192.0.2.256", "octet 256 is out of range 0-255"),
        ("::ffff:192.0.2.01", "IPv4 octet '01' has a leading zero"),
        ("::ffff:192.0.2", "expected 4 dotted octets"),
        ("::ffff:192.0.2.1.1", "expected 4 dotted octets"),
        ("::ffff:192.0.2.1:1", "an embedded IPv4 address must come last"),
        ("::ffff:192.0.2.1::", "an embedded IPv4 address must come last"),
        ("::ffff:c0.0.2.1", "invalid character 'c'"),
        ("::ffff:192.0.2.1%eth0", "zone identifiers ('%eth0') are not allowed"),
        ("1:2:3:4:5:6:7:192.0.2.1", "too many groups"),
        ("1:2:3:4:5:6:7::192.0.2.1", "too many groups"),
        ("1:2:3:4:5:192.0.2.1", "too few groups (expected 8, or '::')"),
        ("1:2:3:4:5:6::192.0.2.1", "'::' must stand for at least one zero group"),
    ])
    func invalidEmbeddedIPv4IsRejectedWithAReason(text: String, reason: String) {
        #expect(addressParseFailure(text) == reason)
    }

    @Test func anIPv4AddressFollowedByColonsIsNotIPv6() {
        #expect(addressParseFailure("192.0.2.1::") == "invalid character ':'")
    }

    @Test func ipv4AndIPv6WithTheSameValueAreDifferentAddresses() throws {
        let ipv4 = try address("192.0.2.1")
        let ipv6 = try address("::c000:201")
        #expect(ipv4.value == ipv6.value)
        #expect(ipv4 != ipv6)
        #expect(Set([ipv4, ipv6]).count == 2)
    }

    @Test(arguments: [
        ("::ffff:192.0.2.1", true),
        ("::ffff:0:0", true),
        ("::ffff:ffff:ffff", true),
        ("::fffe:c000:201", false),
        ("::1:ffff:c000:201", false),
        ("64:ff9b::198.51.100.7", false),
        ("::c000:201", false),
        ("::1", false),
        ("192.0.2.1", false),
    ])
    func ipv4MappedMeansThePrefixFfff96(text: String, mapped: Bool) throws {
        #expect(try address(text).isIPv4Mapped == mapped)
    }
}
