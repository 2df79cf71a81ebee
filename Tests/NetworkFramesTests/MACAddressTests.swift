import NetworkAddresses
import NetworkFrames
import Testing

@Suite("MAC addresses")
struct MACAddressTests {
    @Test("parses colon-separated hex in either case and prints lowercase")
    func parsesAndPrints() {
        #expect(MACAddress("02:00:5E:10:AB:ff")?.description == "02:00:5e:10:ab:ff")
        #expect(MACAddress("02:00:5e:10:ab:ff")?.bytes == [0x02, 0x00, 0x5E, 0x10, 0xAB, 0xFF])
    }

    @Test("refuses other spellings instead of guessing", arguments: [
        "", "02:00:5e:10:ab", "02-00-5e-10-ab-ff", "2:00:5e:10:ab:ff0", "02:00:5e:10:ab:fg", "02:00:5e:10:ab:ff:",
        "0200.5e10.abff", "02:00:5e:10:ab:f ",
    ])
    func refusesOtherSpellings(text: String) {
        #expect(MACAddress(text) == nil)
    }

    @Test("builds from exactly six bytes")
    func buildsFromSixBytes() {
        #expect(MACAddress(bytes: [1, 2, 3, 4, 5, 6]) == MACAddress(1, 2, 3, 4, 5, 6))
        #expect(MACAddress(bytes: [1, 2, 3, 4, 5]) == nil)
        #expect(MACAddress(bytes: [1, 2, 3, 4, 5, 6, 7]) == nil)
    }

    @Test("raw values above 48 bits are refused")
    func rawValueLimit() {
        #expect(MACAddress(rawValue: 0xFFFF_FFFF_FFFF) == .broadcast)
        #expect(MACAddress(rawValue: 0x1_0000_0000_0000) == nil)
    }

    @Test("broadcast is all ones and counts as multicast")
    func broadcast() {
        #expect(MACAddress.broadcast.description == "ff:ff:ff:ff:ff:ff")
        #expect(MACAddress.broadcast.isBroadcast)
        #expect(MACAddress.broadcast.isMulticast)
    }

    @Test("the group bit of the first byte marks multicast")
    func multicastBit() {
        #expect(mac("01:00:5e:00:00:01").isMulticast)
        #expect(mac("33:33:00:00:00:01").isMulticast)
        #expect(!mac("02:00:00:00:00:01").isMulticast)
        #expect(!MACAddress.zero.isMulticast)
    }

    @Test("an IPv6 solicited-node group maps to 33:33 and its low 32 bits")
    func ipv6MulticastMapping() {
        let group = IPAddress.solicitedNodeMulticast(for: address("2001:db8::abcd:1234"))
        #expect(group == address("ff02::1:ffcd:1234"))
        #expect(MACAddress(ipv6Multicast: group)?.description == "33:33:ff:cd:12:34")
        #expect(MACAddress(ipv6Multicast: .ipv6AllNodes)?.description == "33:33:00:00:00:01")
    }

    @Test("unicast and IPv4 addresses have no multicast MAC")
    func noMappingForUnicast() {
        #expect(MACAddress(ipv6Multicast: address("2001:db8::1")) == nil)
        #expect(MACAddress(ipv6Multicast: address("224.0.0.1")) == nil)
    }
}
