import IPAM
import NetworkAddresses
import Testing

@Suite("Reading an address record back")
struct AddressRecordTests {
    @Test("what the allocator writes reads back as the same addresses")
    func roundTrip() throws {
        let addresses = try [#require(IPAddress("198.51.100.7")), #require(IPAddress("2001:db8::7"))]
        let written = Assignment(
            service: ServiceKey(namespace: "default", name: "web"), addresses: addresses, origin: .pool,
            ports: []
        ).annotationValue
        #expect(try AddressRecord.parse(written).get() == addresses)
    }

    @Test("blanks around entries are tolerated and a repeated address counts once")
    func blanksAndRepeats() throws {
        let parsed = try AddressRecord.parse(" 198.51.100.7 ,\t198.51.100.7").get()
        #expect(parsed.map(\.description) == ["198.51.100.7"])
    }

    @Test("an entry that is not an address is named")
    func badEntry() {
        #expect(throws: AddressRecord.Unreadable.entry("web")) { try AddressRecord.parse("198.51.100.7,web").get() }
    }

    @Test("two addresses of one family are refused")
    func twoOfAFamily() {
        #expect(throws: AddressRecord.Unreadable.tooManyOfAFamily) {
            try AddressRecord.parse("198.51.100.7,198.51.100.8").get()
        }
    }
}
