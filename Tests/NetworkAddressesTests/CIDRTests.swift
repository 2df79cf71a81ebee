import NetworkAddresses
import Testing

@Suite("CIDR parsing")
struct CIDRParsingTests {
    @Test(arguments: [
        ("192.0.2.0/24", "192.0.2.0", 24),
        ("192.0.2.10/24", "192.0.2.10", 24),
        ("203.0.113.7/32", "203.0.113.7", 32),
        ("0.0.0.0/0", "0.0.0.0", 0),
        ("2001:db8::/32", "2001:db8::", 32),
        ("2001:DB8::1/128", "2001:db8::1", 128),
        ("::/0", "::", 0),
        ("::ffff:192.0.2.0/120", "::ffff:192.0.2.0", 120),
    ])
    func cidrKeepsTheAddressAsWrittenAndTheLength(text: String, addressText: String, length: Int) throws {
        let parsed = try cidr(text)
        #expect(try parsed.address == address(addressText))
        #expect(parsed.prefixLength == length)
    }

    @Test(arguments: [
        ("192.0.2.0", "missing '/<prefix length>'"),
        ("", "missing '/<prefix length>'"),
        ("192.0.2.0/", "missing prefix length after '/'"),
        ("192.0.2.0/x", "prefix length 'x' is not a number"),
        ("192.0.2.0/-1", "prefix length '-1' is not a number"),
        ("192.0.2.0/+24", "prefix length '+24' is not a number"),
        ("192.0.2.0/ 24", "prefix length ' 24' is not a number"),
        ("192.0.2.0/24 ", "prefix length '24 ' is not a number"),
        ("192.0.2.0/24/25", "prefix length '24/25' is not a number"),
        ("192.0.2.0/024", "prefix length '024' has a leading zero"),
        ("192.0.2.0/00", "prefix length '00' has a leading zero"),
        ("192.0.2.0/33", "prefix length 33 is out of range 0-32 for IPv4"),
        ("192.0.2.0/99999999999999999999", "prefix length 99999999999999999999 is out of range 0-32 for IPv4"),
        ("2001:db8::/129", "prefix length 129 is out of range 0-128 for IPv6"),
        ("192.0.2.256/24", "bad address: octet 256 is out of range 0-255"),
        ("/24", "bad address: empty address"),
        (" 192.0.2.0/24", "bad address: invalid character ' '"),
        ("fe80::1%eth0/64", "bad address: zone identifiers ('%eth0') are not allowed"),
        ("192.0.2.0-192.0.2.9/24", "bad address: invalid character '-'"),
    ])
    func invalidCIDRIsRejectedWithAReason(text: String, reason: String) {
        #expect(cidrParseFailure(text) == reason)
        #expect(CIDR(text) == nil)
    }

    @Test func badAddressErrorsExposeTheAddressError() {
        guard case .failure(let error) = CIDR.parse("192.0.2.256/24") else {
            Issue.record("expected a failure")
            return
        }
        guard case .failure(let addressError) = IPAddress.parse("192.0.2.256") else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.addressError == addressError)
    }

    @Test func prefixLengthErrorsHaveNoAddressError() {
        guard case .failure(let error) = CIDR.parse("192.0.2.0/33") else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.addressError == nil)
    }

    @Test func descriptionCanonicalisesTheAddressButKeepsHostBits() throws {
        #expect(try cidr("2001:DB8:0::1/64").description == "2001:db8::1/64")
        #expect(try cidr("192.0.2.10/24").description == "192.0.2.10/24")
    }

    @Test func memberwiseInitialiserChecksThePrefixLength() throws {
        let ipv4 = try address("192.0.2.0")
        #expect(CIDR(address: ipv4, prefixLength: 32)?.prefixLength == 32)
        #expect(CIDR(address: ipv4, prefixLength: 33) == nil)
        #expect(CIDR(address: ipv4, prefixLength: -1) == nil)
        #expect(try CIDR(address: address("2001:db8::"), prefixLength: 128) != nil)
        #expect(try CIDR(address: ipv4, prefixLength: 24) == cidr("192.0.2.0/24"))
    }

    @Test func cidrsWithDifferentHostBitsAreDifferent() throws {
        #expect(try cidr("192.0.2.10/24") != cidr("192.0.2.0/24"))
        #expect(try Set([cidr("192.0.2.0/24"), cidr("192.0.2.0/24"), cidr("192.0.2.0/25")]).count == 2)
    }
}

@Suite("CIDR arithmetic")
struct CIDRArithmeticTests {
    struct Expectation: Sendable, CustomTestStringConvertible {
        let cidr: String
        let network: String
        let last: String
        let hasHostBits: Bool
        let count: UInt128

        var testDescription: String { cidr }
    }

    static let expectations: [Expectation] = [
        .init(cidr: "192.0.2.10/24", network: "192.0.2.0", last: "192.0.2.255", hasHostBits: true, count: 256),
        .init(cidr: "198.51.100.0/24", network: "198.51.100.0", last: "198.51.100.255", hasHostBits: false, count: 256),
        .init(cidr: "192.0.2.200/25", network: "192.0.2.128", last: "192.0.2.255", hasHostBits: true, count: 128),
        .init(cidr: "203.0.113.7/32", network: "203.0.113.7", last: "203.0.113.7", hasHostBits: false, count: 1),
        .init(cidr: "203.0.113.7/31", network: "203.0.113.6", last: "203.0.113.7", hasHostBits: true, count: 2),
        .init(cidr: "0.0.0.0/0", network: "0.0.0.0", last: "255.255.255.255", hasHostBits: false, count: 1 << 32),
        .init(cidr: "192.0.2.1/0", network: "0.0.0.0", last: "255.255.255.255", hasHostBits: true, count: 1 << 32),
        .init(cidr: "2001:db8::1/64", network: "2001:db8::", last: "2001:db8::ffff:ffff:ffff:ffff", hasHostBits: true, count: 1 << 64),
        .init(cidr: "2001:db8::/32", network: "2001:db8::", last: "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", hasHostBits: false, count: 1 << 96),
        .init(cidr: "2001:db8::1/128", network: "2001:db8::1", last: "2001:db8::1", hasHostBits: false, count: 1),
        .init(cidr: "::/1", network: "::", last: "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", hasHostBits: false, count: 1 << 127),
        .init(cidr: "::ffff:192.0.2.9/120", network: "::ffff:192.0.2.0", last: "::ffff:192.0.2.255", hasHostBits: true, count: 256),
    ]

    @Test(arguments: expectations)
    func networkLastAddressHostBitsAndCount(expected: Expectation) throws {
        let prefix = try cidr(expected.cidr)
        #expect(try prefix.network == address(expected.network))
        #expect(try prefix.lastAddress == address(expected.last))
        #expect(prefix.hasHostBits == expected.hasHostBits)
        #expect(prefix.addressCount == expected.count)
        #expect(prefix.family == prefix.address.family)
    }

    @Test func addressCountOfTheWholeIPv6SpaceSaturatesAtUInt128Max() throws {
        #expect(try cidr("::/0").addressCount == UInt128.max)
        #expect(try cidr("2001:db8::1/0").addressCount == UInt128.max)
    }

    @Test(arguments: [
        ("192.0.2.0/24", "192.0.2.0", true),
        ("192.0.2.0/24", "192.0.2.255", true),
        ("192.0.2.0/24", "192.0.3.0", false),
        ("192.0.2.0/24", "192.0.1.255", false),
        ("192.0.2.0/24", "198.51.100.1", false),
        ("192.0.2.10/24", "192.0.2.1", true),
        ("203.0.113.7/32", "203.0.113.7", true),
        ("203.0.113.7/32", "203.0.113.8", false),
        ("0.0.0.0/0", "255.255.255.255", true),
        ("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true),
        ("2001:db8::/32", "2001:db9::", false),
        ("2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false),
        ("::/0", "2001:db8::1", true),
        ("::/0", "::", true),
    ])
    func containsMatchesAddressesInsideThePrefix(prefix: String, candidate: String, inside: Bool) throws {
        #expect(try cidr(prefix).contains(address(candidate)) == inside)
    }

    @Test func containsNeverMatchesTheOtherFamily() throws {
        #expect(try !cidr("192.0.2.0/24").contains(address("::ffff:192.0.2.1")))
        #expect(try !cidr("192.0.2.0/24").contains(address("::c000:201")))
        #expect(try !cidr("0.0.0.0/0").contains(address("::")))
        #expect(try !cidr("::/0").contains(address("192.0.2.1")))
    }

    @Test func everyAddressFromNetworkToLastIsContained() throws {
        let prefix = try cidr("198.51.100.77/28")
        var current: IPAddress? = prefix.network
        var seen: UInt128 = 0
        while let address = current, address <= prefix.lastAddress {
            #expect(prefix.contains(address))
            seen += 1
            current = address.advanced(by: 1)
        }
        #expect(seen == prefix.addressCount)
        #expect(prefix.lastAddress.advanced(by: 1).map(prefix.contains) == false)
        #expect(prefix.network.advanced(by: -1).map(prefix.contains) == false)
    }
}
