import PropertyBased
import Testing

@testable import IPAM

@Suite("Shared-address index")
struct SharedAddressIndexTests {
    /// Addresses carrying up to 60 ports each, so that the bounded summaries give up on some subtrees; the
    /// answer must still be the brute-force one.
    @Test func firstCompatibleAddressMatchesAScanOfEveryAddress() async {
        await propertyCheck(count: 60, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SplitMix64(seed: seed)
            var index = SharedAddressIndex()
            var model: [UInt128: Set<ServicePort>] = [:]
            let popular = ServicePort(.tcp, 443)
            for _ in 0..<300 {
                let address = UInt128(random.next() % 64)
                if random.next() % 5 == 0 {
                    index.set(address, ports: nil)
                    model[address] = nil
                    continue
                }
                var ports: Set<ServicePort> = random.next() % 3 == 0 ? [] : [popular]
                for _ in 0..<Int(random.next() % 60) {
                    ports.insert(ServicePort(random.next() % 2 == 0 ? .tcp : .udp, UInt16(random.next() % 100)))
                }
                if ports.isEmpty { ports = [popular] }
                index.set(address, ports: ports.sorted())
                model[address] = ports
            }
            for _ in 0..<50 {
                let requested = Set((0..<Int(1 + random.next() % 3)).map { _ in
                    random.next() % 4 == 0 ? popular : ServicePort(.tcp, UInt16(random.next() % 120))
                }).sorted()
                for descending in [false, true] {
                    let candidates = model.keys.sorted().filter { model[$0]?.isDisjoint(with: requested) == true }
                    let expected = descending ? candidates.last : candidates.first
                    #expect(index.firstCompatible(with: requested, descending: descending) == expected)
                }
            }
        }
    }

    @Test func subtreeWhereEveryAddressUsesTheRequestedPortIsSkippedWhole() {
        var index = SharedAddressIndex()
        for address in 0..<1000 {
            index.set(UInt128(address), ports: [ServicePort(.tcp, 443)])
        }
        index.set(1000, ports: [ServicePort(.tcp, 80)])
        #expect(index.firstCompatible(with: [ServicePort(.tcp, 443)], descending: false) == 1000)
        #expect(index.firstCompatible(with: [ServicePort(.tcp, 80)], descending: true) == 999)
    }
}
