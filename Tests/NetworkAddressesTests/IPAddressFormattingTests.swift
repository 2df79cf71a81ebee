import NetworkAddresses
import Testing

@Suite("Address text (RFC 5952)")
struct IPAddressFormattingTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("198.51.100.10", "198.51.100.10"),
        ("203.0.113.109", "203.0.113.109"),
    ])
    func ipv4TextIsADottedQuad(text: String, expected: String) throws {
        #expect(try address(text).description == expected)
    }

    @Test func ipv6TextIsCompressedAtTheLongestZeroRun() throws {
        #expect(try address("2001:db8:0:0:0:0:2:1").description == "2001:db8::2:1")
        #expect(try address("2001:0:0:1:0:0:0:1").description == "2001:0:0:1::1")
        #expect(try address("0:0:1:0:0:0:0:0").description == "0:0:1::")
    }

    @Test func ipv6TextCompressesTheFirstRunWhenRunsTie() throws {
        #expect(try address("2001:db8:0:0:1:0:0:1").description == "2001:db8::1:0:0:1")
        #expect(try address("1:0:0:2:3:0:0:4").description == "1::2:3:0:0:4")
    }

    @Test func ipv6TextNeverCompressesASingleZeroGroup() throws {
        #expect(try address("2001:db8:0:1:1:1:1:1").description == "2001:db8:0:1:1:1:1:1")
        #expect(try address("1:0:2:0:3:0:4:0").description == "1:0:2:0:3:0:4:0")
    }

    @Test func ipv6TextDropsLeadingZerosInEachGroup() throws {
        #expect(try address("2001:0db8:0000:0000:0000:0000:0000:0001").description == "2001:db8::1")
        #expect(try address("2001:db8:00a0:0abc:000f:1:20:300").description == "2001:db8:a0:abc:f:1:20:300")
    }

    @Test func ipv6TextIsLowercase() throws {
        #expect(try address("2001:DB8::ABCD:EF").description == "2001:db8::abcd:ef")
    }

    @Test(arguments: [
        ("::", "::"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("2001:db8::1", "2001:db8::1"),
    ])
    func ipv6TextHandlesTheEndsOfTheAddress(text: String, expected: String) throws {
        #expect(try address(text).description == expected)
    }

    @Test func ipv4MappedAddressesKeepTheirDottedQuad() throws {
        #expect(try address("::ffff:c000:201").description == "::ffff:192.0.2.1")
        #expect(try address("0:0:0:0:0:ffff:cb00:7109").description == "::ffff:203.0.113.9")
        #expect(try address("::ffff:0:0").description == "::ffff:0.0.0.0")
    }

    @Test func otherEmbeddingsPrintInHex() throws {
        // RFC 5952 section 5 only recommends dotted text for well-known mapped forms; like Go's
        // netip we use it for IPv4-mapped only, so NAT64 and IPv4-compatible stay hexadecimal.
        #expect(try address("64:ff9b::198.51.100.7").description == "64:ff9b::c633:6407")
        #expect(try address("::192.0.2.1").description == "::c000:201")
    }

    @Test func descriptionMatchesAStraightforwardRFC5952Reference() {
        var generator = SplitMix64(seed: 0x5952)
        for _ in 0..<2_000 {
            let value = generator.nextSparseIPv6()
            let address = IPAddress(ipv6: value)
            guard !address.isIPv4Mapped else { continue }
            #expect(address.description == referenceRFC5952Text(value), "value \(String(value, radix: 16))")
        }
    }
}

/// A deliberately naive RFC 5952 formatter to compare against: clear rather than fast.
private func referenceRFC5952Text(_ value: UInt128) -> String {
    let parts = groups(of: value)
    var best: Range<Int>? = nil
    for start in 0..<8 {
        for end in start...8 where end - start >= 2 && parts[start..<end].allSatisfy({ $0 == 0 }) {
            if end - start > (best?.count ?? 1) {
                best = start..<end
            }
        }
    }
    let hex = parts.map { String($0, radix: 16) }
    guard let run = best else {
        return hex.joined(separator: ":")
    }
    return hex[..<run.lowerBound].joined(separator: ":") + "::" + hex[run.upperBound...].joined(separator: ":")
}
