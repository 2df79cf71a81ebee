import NetworkAddresses
import PropertyBased
import Testing

@testable import IPAM

/// Random sequences of allocate / release / requested-address / pool-change operations, run against the
/// allocator and the brute-force ``ReferenceModel`` side by side.
@Suite("Allocator against a reference model")
struct AllocatorPropertyTests {
    static let namespaces = ["alpha", "beta", "gamma"]
    static let names = ["a", "b", "c", "d", "e", "f"]
    static let portChoices: [[ServicePort]] = [
        [tcp(80)], [tcp(443)], [tcp(80), tcp(443)], [udp(53)], [tcp(53)], [], [tcp(8080), udp(53)],
    ]
    static let requestable = [
        "198.51.100.1", "198.51.100.3", "198.51.100.255", "198.51.101.1", "203.0.113.5", "0.0.0.0", "2001:db8::2",
    ]

    /// Small, overlapping pools that cross a /24 boundary, with and without sharing, order and trimming.
    static let configurations: [[String: String]] = [
        ["cidr-global": "198.51.100.0/29", "range-alpha": "198.51.100.2-198.51.100.5"],
        [
            "cidr-global": "198.51.100.248/29,198.51.101.0/30,2001:db8::/126",
            "range-alpha": "198.51.100.250-198.51.101.2", "allow-share-global": "true",
        ],
        [
            "cidr-global": "198.51.100.0/28", "cidr-beta": "198.51.100.4/30,2001:db8::/127",
            "allow-share-beta": "true", "search-order": "desc",
        ],
        [
            "cidr-global": "198.51.100.0/29", "cidr-beta": "0.0.0.0/32", "range-alpha": "198.51.100.1-198.51.100.3",
            "skip-end-ips-in-cidr": "true", "allow-share-global": "true", "allow-share-alpha": "false",
        ],
        ["range-gamma": "198.51.100.1-198.51.100.2,2001:db8::1-2001:db8::2"],
        [
            "cidr-global": "198.51.100.0/30,2001:db8::/126", "cidr-alpha": "198.51.100.0/29",
            "allow-share-global": "true", "search-order": "desc",
        ],
    ]

    enum Operation: CustomStringConvertible {
        case allocate(AddressRequest)
        case release(ServiceKey)
        case reconfigure(Int)

        init(_ code: UInt32) {
            let service = key(
                AllocatorPropertyTests.namespaces[Int(code >> 4) % 3], AllocatorPropertyTests.names[Int(code >> 6) % 6])
            let ports = AllocatorPropertyTests.portChoices[Int(code >> 9) % AllocatorPropertyTests.portChoices.count]
            let policies: [(IPFamilyPolicy, [IPFamily])] = [
                (.singleStack, []), (.singleStack, []), (.singleStack, [.ipv6]), (.preferDualStack, []),
                (.requireDualStack, [.ipv6, .ipv4]), (.preferDualStack, [.ipv6]),
            ]
            let (policy, families) = policies[Int(code >> 12) % policies.count]
            switch code % 12 {
            case 0..<6:
                self = .allocate(AddressRequest(service: service, ports: ports, familyPolicy: policy, families: families))
            case 6, 7:
                let first = AllocatorPropertyTests.requestable[Int(code >> 16) % 7]
                let second = AllocatorPropertyTests.requestable[Int(code >> 20) % 7]
                let wanted = code & (1 << 24) == 0 ? [first] : [first, second]
                self = .allocate(
                    AddressRequest(service: service, ports: ports, requestedAddresses: wanted.map(address)))
            case 8, 9, 10:
                self = .release(service)
            default:
                self = .reconfigure(Int(code >> 16) % AllocatorPropertyTests.configurations.count)
            }
        }

        var description: String {
            switch self {
            case .allocate(let request):
                "allocate \(request.service) ports \(request.ports) \(request.familyPolicy.rawValue) \(request.families) requesting \(request.requestedAddresses)"
            case .release(let service): "release \(service)"
            case .reconfigure(let index): "reconfigure #\(index)"
            }
        }
    }

    @Test func allocatorAgreesWithTheReferenceModelAndNeverDuplicates() async {
        await propertyCheck(
            count: 300,
            input: Gen.int(in: 0...5), Gen.uint32(in: 0...UInt32.max).array(of: 1...120)
        ) { initial, codes in
            let data = Self.configurations[initial]
            var allocator = Allocator(configuration: PoolConfiguration(data: data), recentReleaseCapacity: 3)
            var model = ReferenceModel(data: data, memoryCapacity: 3)
            for (step, code) in codes.enumerated() {
                let operation = Operation(code)
                switch operation {
                case .allocate(let request):
                    let expected = model.allocate(request)
                    let actual: ReferenceModel.Outcome =
                        switch allocator.allocate(request) {
                        case .success(let assignment): .success(assignment.addresses)
                        case .failure(let failure): .failure(ReferenceModel.kind(failure))
                        }
                    #expect(actual == expected, "step \(step): \(operation)")
                case .release(let service):
                    let released = allocator.release(service)
                    #expect(released?.addresses == model.assignments[service]?.addresses, "step \(step): \(operation)")
                    model.release(service)
                case .reconfigure(let index):
                    let drift = allocator.reconfigure(PoolConfiguration(data: Self.configurations[index]))
                    #expect(drift == model.reconfigure(Self.configurations[index]), "step \(step): \(operation)")
                }
                checkInvariants(allocator, model, step: step, operation)
            }
        }
    }

    /// Restoring from what the Services record gives back the same assignments and the same next choices.
    @Test func restoredAllocatorMatchesTheOriginal() async {
        await propertyCheck(
            count: 150,
            input: Gen.int(in: 0...5), Gen.uint32(in: 0...UInt32.max).array(of: 1...80)
        ) { initial, codes in
            let data = Self.configurations[initial]
            var allocator = Allocator(configuration: PoolConfiguration(data: data), recentReleaseCapacity: 0)
            var created: [ServiceKey: Int64] = [:]
            for (step, code) in codes.enumerated() {
                switch Operation(code) {
                case .allocate(let request):
                    if case .success = allocator.allocate(request), created[request.service] == nil {
                        created[request.service] = Int64(step)
                    }
                case .release(let service):
                    allocator.release(service)
                    created[service] = nil
                case .reconfigure(let index):
                    _ = allocator.reconfigure(PoolConfiguration(data: Self.configurations[index]))
                }
            }
            let records = allocator.allAssignments.map { assignment in
                ExistingAssignment(
                    service: assignment.service, addresses: assignment.addresses, ports: assignment.ports,
                    requested: assignment.origin == .requested, created: created[assignment.service] ?? 0)
            }
            var order = SplitMix64(seed: UInt64(codes.count))
            var (restored, conflicts) = Allocator.restore(
                configuration: allocator.configuration, from: records.shuffled(using: &order), recentReleaseCapacity: 0)
            #expect(conflicts.isEmpty)
            #expect(restored.allAssignments.map(\.addresses) == allocator.allAssignments.map(\.addresses))
            for scope in allocator.configuration.pools.keys {
                for family in IPFamily.allCases {
                    #expect(restored.freeIntervals(scope, family) == allocator.freeIntervals(scope, family))
                }
                #expect(restored.sharedEntries(scope).map(\.address) == allocator.sharedEntries(scope).map(\.address))
            }
            for namespace in Self.namespaces {
                let request = AddressRequest(service: key(namespace, "fresh"), ports: [tcp(80)])
                #expect(
                    (try? restored.allocate(request).get().addresses) == (try? allocator.allocate(request).get().addresses))
            }
        }
    }

    private func checkInvariants(
        _ allocator: Allocator, _ model: ReferenceModel, step: Int, _ operation: Operation
    ) {
        let context: Comment = "after step \(step): \(operation)"
        #expect(allocator.allAssignments.map(\.addresses) == model.assignments.values.sorted { $0.service < $1.service }.map(\.addresses), context)
        // No address has two holders unless it is IPv4 and their ports are disjoint. (Consent is checked when
        // a Service joins; switching allow-share off later keeps the sharers where they are.)
        for (address, holding) in allocator.holdings where holding.holders.count > 1 {
            #expect(address.family == .ipv4, context)
            let allHavePorts = holding.holders.allSatisfy { !$0.ports.isEmpty }
            #expect(allHavePorts, context)
            let ports = holding.holders.flatMap(\.ports)
            #expect(Set(ports).count == ports.count, context)
        }
        // Every held address belongs to an assignment that lists it, and the other way round.
        for assignment in allocator.allAssignments {
            for address in assignment.addresses where !address.isUnspecified {
                #expect(allocator.holders(of: address).contains(assignment.service), context)
            }
        }
        let heldTotal = allocator.holdings.values.reduce(0) { $0 + $1.holders.count }
        let assignedTotal = allocator.allAssignments.reduce(0) { $0 + $1.addresses.filter { !$0.isUnspecified }.count }
        #expect(heldTotal == assignedTotal, context)
        // Free space is exactly the pool's allocatable addresses that nobody holds and nothing holds back.
        for scope in allocator.configuration.pools.keys {
            for family in IPFamily.allCases {
                let free = allocator.freeIntervals(scope, family).flatMap { interval in
                    (interval.lowerBound...interval.upperBound).filter { !ReferenceModel.skipped($0, family) }
                }
                #expect(free == model.freeAddresses(scope, family), "\(scope) \(family) \(context)")
            }
        }
    }
}
