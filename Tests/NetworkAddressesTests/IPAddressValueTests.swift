import NetworkAddresses
import Testing

@Suite("IPAddress values")
struct IPAddressValueTests {
    @Test func everyIPv4AddressSortsBeforeEveryIPv6Address() throws {
        #expect(try address("255.255.255.255") < address("::"))
        #expect(try !(address("::") < address("0.0.0.0")))
    }

    @Test func addressesOfOneFamilySortByValue() throws {
        #expect(try address("192.0.2.9") < address("192.0.2.10"))
        #expect(try address("198.51.100.1") < address("203.0.113.1"))
        #expect(try address("2001:db8::9") < address("2001:db8::a"))
        #expect(try !(address("2001:db8::1") < address("2001:db8::1")))
    }

    @Test func sortingMixedAddressesGroupsByFamily() throws {
        let unsorted = try ["2001:db8::1", "203.0.113.1", "::1", "192.0.2.1", "::ffff:192.0.2.1"].map { try address($0) }
        #expect(unsorted.sorted().map(\.description) == [
            "192.0.2.1", "203.0.113.1", "::1", "::ffff:192.0.2.1", "2001:db8::1",
        ])
    }

    @Test func familyAndValueInitialiserRejectsValuesWiderThanTheFamily() {
        #expect(IPAddress(family: .ipv4, value: 0xFFFF_FFFF) == IPAddress(ipv4: 0xFFFF_FFFF))
        #expect(IPAddress(family: .ipv4, value: 0x1_0000_0000) == nil)
        #expect(IPAddress(family: .ipv6, value: UInt128.max) == IPAddress(ipv6: UInt128.max))
    }

    @Test func ipv4AddressesStoreTheirValueInTheLow32Bits() {
        let address = IPAddress(ipv4: 0xC000_0201)
        #expect(address.family == .ipv4)
        #expect(address.value == 0xC000_0201)
    }

    @Test func equalAddressesHashEqually() throws {
        let set: Set<IPAddress> = try [address("2001:db8::1"), address("2001:DB8:0::1"), address("192.0.2.1")]
        #expect(set.count == 2)
        #expect(try set.contains(address("2001:db8:0:0:0:0:0:1")))
    }

    @Test func losslessStringConversionRejectsInvalidText() {
        #expect(IPAddress("not an address") == nil)
        #expect(IPAddress("192.0.2.1") != nil)
    }
}

@Suite("advanced(by:)")
struct AdvancedByTests {
    @Test func steppingPastTheLastIPv4AddressIsNil() throws {
        #expect(try address("255.255.255.255").advanced(by: 1) == nil)
        #expect(try address("255.255.255.254").advanced(by: 2) == nil)
        #expect(try address("255.255.255.254").advanced(by: 1) == address("255.255.255.255"))
    }

    @Test func steppingBeforeTheFirstIPv4AddressIsNil() throws {
        #expect(try address("0.0.0.0").advanced(by: -1) == nil)
        #expect(try address("0.0.0.1").advanced(by: -1) == address("0.0.0.0"))
    }

    @Test func steppingPastEitherEndOfIPv6IsNil() throws {
        #expect(try address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").advanced(by: 1) == nil)
        #expect(try address("::").advanced(by: -1) == nil)
    }

    @Test func ipv4NeverSpillsIntoIPv6Space() throws {
        #expect(try address("255.255.255.255").advanced(by: Int.max) == nil)
    }

    @Test func steppingCarriesAcrossOctetsAndGroups() throws {
        #expect(try address("192.0.2.255").advanced(by: 1) == address("192.0.3.0"))
        #expect(try address("192.0.2.0").advanced(by: -1) == address("192.0.1.255"))
        #expect(try address("2001:db8::ffff").advanced(by: 1) == address("2001:db8::1:0"))
        #expect(try address("2001:db8::1:0").advanced(by: -1) == address("2001:db8::ffff"))
    }

    @Test func zeroStepIsTheSameAddress() throws {
        let start = try address("198.51.100.7")
        #expect(start.advanced(by: 0) == start)
    }

    @Test func extremeStepsDoNotOverflow() throws {
        #expect(try address("::").advanced(by: Int.max) == address("::7fff:ffff:ffff:ffff"))
        #expect(try address("::8000:0:0:0").advanced(by: Int.min) == address("::"))
        #expect(try address("::7fff:ffff:ffff:ffff").advanced(by: Int.min) == nil)
        #expect(try address("0.0.0.0").advanced(by: Int.min) == nil)
    }

    @Test func steppingKeepsTheFamily() throws {
        #expect(try address("::ffff:255.255.255.255").advanced(by: 1) == address("::1:0:0:0"))
        #expect(try address("::ffff:255.255.255.255").advanced(by: 1)?.family == .ipv6)
    }
}
