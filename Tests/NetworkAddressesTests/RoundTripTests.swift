import NetworkAddresses
import Testing

@Suite("Round trips")
struct RoundTripTests {
    static let iterations = 3_000

    @Test(arguments: [
        "192.0.2.1", "0.0.0.0", "255.255.255.255", "198.51.100.0", "203.0.113.254",
        "::", "::1", "1::", "2001:db8::1", "2001:db8:0:1:1:1:1:1", "2001:0:0:1::1",
        "::ffff:192.0.2.1", "64:ff9b::c633:6407", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ])
    func canonicalTextParsesBackToItself(text: String) throws {
        let parsed = try address(text)
        #expect(parsed.description == text)
        #expect(IPAddress(parsed.description) == parsed)
    }

    @Test func randomIPv4AddressesRoundTripThroughText() {
        var generator = SplitMix64(seed: 4)
        for _ in 0..<Self.iterations {
            let address = IPAddress(ipv4: UInt32(truncatingIfNeeded: generator.next()))
            #expect(IPAddress(address.description) == address, "\(address)")
        }
    }

    @Test func randomIPv6AddressesRoundTripThroughText() {
        var generator = SplitMix64(seed: 6)
        for _ in 0..<Self.iterations {
            let address = IPAddress(ipv6: generator.nextUInt128())
            #expect(IPAddress(address.description) == address, "\(address)")
        }
    }

    @Test func sparseIPv6AddressesRoundTripThroughText() {
        var generator = SplitMix64(seed: 0xD0D0)
        for _ in 0..<Self.iterations {
            let address = IPAddress(ipv6: generator.nextSparseIPv6())
            #expect(IPAddress(address.description) == address, "\(address)")
        }
    }

    @Test func randomIPv4MappedAddressesRoundTripThroughText() {
        var generator = SplitMix64(seed: 0xFFFF)
        for _ in 0..<Self.iterations {
            let value = 0xFFFF_0000_0000 | UInt128(UInt32(truncatingIfNeeded: generator.next()))
            let address = IPAddress(ipv6: value)
            #expect(address.description.hasPrefix("::ffff:"))
            #expect(IPAddress(address.description) == address, "\(address)")
        }
    }

    @Test func fullyExpandedUppercaseIPv6TextParsesToTheSameAddress() {
        var generator = SplitMix64(seed: 128)
        for _ in 0..<Self.iterations {
            let value = generator.nextSparseIPv6()
            let expanded = groups(of: value)
                .map { group in
                    let digits = String(group, radix: 16, uppercase: true)
                    return String(repeating: "0", count: 4 - digits.count) + digits
                }
                .joined(separator: ":")
            #expect(IPAddress(expanded) == IPAddress(ipv6: value), "\(expanded)")
        }
    }

    @Test func cidrTextRoundTrips() throws {
        for text in ["192.0.2.0/24", "192.0.2.10/24", "0.0.0.0/0", "2001:db8::/32", "::/0", "::ffff:192.0.2.0/120"] {
            let parsed = try cidr(text)
            #expect(parsed.description == text)
            #expect(CIDR(parsed.description) == parsed)
        }
    }
}
