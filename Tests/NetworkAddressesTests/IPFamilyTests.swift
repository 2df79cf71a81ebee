import NetworkAddresses
import Testing

@Suite("IPFamily")
struct IPFamilyTests {
    @Test func bitWidthsAre32And128() {
        #expect(IPFamily.ipv4.bitWidth == 32)
        #expect(IPFamily.ipv6.bitWidth == 128)
    }

    @Test func maxValueIsTheAllOnesAddressOfTheFamily() {
        #expect(IPFamily.ipv4.maxValue == 0xFFFF_FFFF)
        #expect(IPFamily.ipv6.maxValue == UInt128.max)
    }

    @Test func descriptionUsesTheKubernetesSpelling() {
        #expect(IPFamily.ipv4.description == "IPv4")
        #expect(IPFamily.ipv6.description == "IPv6")
    }

    @Test(arguments: IPFamily.allCases)
    func kubernetesNameRoundTripsThroughDescription(family: IPFamily) {
        #expect(IPFamily(kubernetesName: family.description) == family)
    }

    @Test(arguments: ["ipv4", "IPV6", "ipv6", "IPv4 ", " IPv4", "v4", "4", ""])
    func kubernetesNameMustBeSpelledExactly(name: String) {
        #expect(IPFamily(kubernetesName: name) == nil)
    }

    @Test func ipv4SortsBeforeIPv6() {
        #expect(IPFamily.ipv4 < IPFamily.ipv6)
        #expect(!(IPFamily.ipv6 < IPFamily.ipv4))
        #expect(IPFamily.allCases.sorted() == [.ipv4, .ipv6])
    }

    @Test func rawValuesAreTheIPVersionNumbers() {
        #expect(IPFamily(rawValue: 4) == .ipv4)
        #expect(IPFamily(rawValue: 6) == .ipv6)
        #expect(IPFamily(rawValue: 5) == nil)
    }

    @Test func familiesHashDistinctly() {
        #expect(Set(IPFamily.allCases).count == 2)
    }
}
