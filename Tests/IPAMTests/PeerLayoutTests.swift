import NetworkAddresses
import Testing

@testable import IPAM

/// The 50-namespace layouts on which the Go peers were measured (shared/reference/peer-bench.md).
@Suite("Peer benchmark layouts")
struct PeerLayoutTests {
    static func overlapLayout() -> [String: String] {
        var data = ["cidr-global": "10.0.0.0/16"]
        for k in 0..<25 {
            data[String(format: "cidr-ns-%02d", 2 * k)] = "10.0.\(8 * k).0/21,10.0.\(8 * k + 8).0/21"
        }
        return data
    }

    static func disjointLayout() -> [String: String] {
        var data = ["cidr-global": "10.0.200.0/21,10.0.208.0/20,10.0.224.0/19"]
        for k in 0..<25 {
            data[String(format: "cidr-ns-%02d", 2 * k)] = "10.0.\(8 * k).0/21"
        }
        return data
    }

    static func fill(_ data: [String: String], count: Int) -> [IPAddress] {
        var allocator = Allocator(configuration: PoolConfiguration(data: data))
        return (0..<count).compactMap { j in
            let request = AddressRequest(
                service: ServiceKey(namespace: String(format: "ns-%02d", j % 50), name: String(format: "svc-%05d", j)),
                ports: [ServicePort(.tcp, 80)])
            return try? allocator.allocate(request).get().addresses.first
        }
    }

    /// Upstream has no duplicates on this layout, so its lowest-free answer must be ours exactly.
    @Test func disjointLayoutGivesUpstreamsAddresses() {
        let addresses = Self.fill(Self.disjointLayout(), count: 20_000)
        #expect(addresses.count == 20_000)
        #expect(Set(addresses).count == 20_000)
        #expect(addresses.first?.description == "10.0.0.1")
        #expect(addresses.last?.description == "10.0.239.94")
    }

    /// Upstream hands out 1,241 duplicates here at 20,000 Services. We hand out none; instead, once the global
    /// Services have used up the low /16 that the first namespace pools overlap, those namespaces' Services stay
    /// pending with "exhausted" rather than get an address someone else holds.
    @Test func overlapLayoutHandsOutNoDuplicatesAndReportsExhaustedNamespaces() {
        var allocator = Allocator(configuration: PoolConfiguration(data: Self.overlapLayout()))
        var addresses: [IPAddress] = []
        var exhausted: Set<String> = []
        for j in 0..<20_000 {
            let namespace = String(format: "ns-%02d", j % 50)
            let request = AddressRequest(
                service: ServiceKey(namespace: namespace, name: String(format: "svc-%05d", j)), ports: [tcp(80)])
            switch allocator.allocate(request) {
            case .success(let assignment): addresses += assignment.addresses
            case .failure(let failure):
                #expect(failure == .exhausted(.namespace(namespace), .ipv4))
                #expect(allocator.freeIntervals(.namespace(namespace), .ipv4).isEmpty)
                exhausted.insert(namespace)
            }
        }
        #expect(Set(addresses).count == addresses.count)
        #expect(addresses.count == 19_412)
        #expect(addresses.first?.description == "10.0.0.1")
        #expect(exhausted.allSatisfy { Int($0.dropFirst(3)).map { $0 % 2 == 0 } == true })
    }

    @Test func overlapLayoutKeepsEveryServiceInsideItsOwnPool() {
        let configuration = PoolConfiguration(data: Self.overlapLayout())
        for (j, address) in Self.fill(Self.overlapLayout(), count: 5_000).enumerated() {
            let namespace = String(format: "ns-%02d", j % 50)
            #expect(configuration.pool(forNamespace: namespace)?.canAllocate(address) == true)
        }
    }
}
