import Foundation
import IPAM
import NetworkAddresses

/// SplitMix64: a small deterministic generator, so every run allocates the same Services in the same order.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (multiply-high reduction; the bias is far below anything measurable here).
    mutating func next(below bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + next(below: range.count)
    }
}

/// Stops the benchmark run loudly: a benchmark that measured a wrong allocator is worse than none.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fatalError("IPAMBenchmarks check failed: \(message())")
    }
}

/// Writes a line to stderr (stdout belongs to the benchmark tool's output formats).
func log(_ line: String) {
    FileHandle.standardError.write(Data(("check " + line + "\n").utf8))
}

/// What one complete fill handed out, checked outside every timed region.
struct FillSummary: CustomStringConvertible {
    let label: String
    let services: Int
    /// Allocations refused.
    var failed = 0
    /// Of those, refusals because the Service's pool had no free address of the family left, confirmed by
    /// `Allocator.usage()` (used == capacity) at that moment.
    var exhausted = 0
    /// PreferDualStack Services that got one family only, the other being confirmed exhausted.
    var degraded = 0
    /// Refusals or missing families that exhaustion does not explain: must be 0.
    var unexplained = 0
    var firstUnexplained: String?
    var firstExhausted: String?
    /// Services that got an IPv4 address.
    var servedIPv4 = 0
    /// Distinct addresses handed out, per family.
    var distinctIPv4 = 0
    var distinctIPv6 = 0
    /// Addresses that more than one Service holds (legitimate only with allow-share and disjoint ports).
    var heldByMoreThanOne = 0
    /// Shared addresses on which two holders use the same (protocol, port): must be 0.
    var portClashes = 0
    /// Allocator-chosen addresses outside their Service's pool (`Allocator.drift()`): must be 0.
    var outsidePool = 0
    var first: [IPAddress] = []
    var last: [IPAddress] = []

    var distinct: Int { distinctIPv4 + distinctIPv6 }

    var description: String {
        func text(_ addresses: [IPAddress]) -> String { addresses.map(\.description).joined(separator: ",") }
        var line =
            "[\(label)] N=\(services) failed=\(failed) (exhausted=\(exhausted)) degraded=\(degraded)"
            + " distinct=\(distinctIPv4)" + (distinctIPv6 > 0 ? " distinct-v6=\(distinctIPv6)" : "")
            + " held-by-2+=\(heldByMoreThanOne) port-clashes=\(portClashes) outside-pool=\(outsidePool)"
            + " first=\(text(first)) last=\(text(last))"
        if let firstExhausted { line += " first-exhausted=\(firstExhausted)" }
        if let firstUnexplained { line += " first-unexplained=\(firstUnexplained)" }
        return line
    }

    /// Allocates every request into a fresh allocator, recording and cross-checking what it hands out.
    static func fill(
        _ label: String, _ configuration: PoolConfiguration, _ requests: [AddressRequest]
    ) -> (summary: FillSummary, allocator: Allocator) {
        var allocator = Allocator(configuration: configuration)
        var summary = FillSummary(label: label, services: requests.count)
        var holders: [IPAddress: [Int]] = [:]
        for (j, request) in requests.enumerated() {
            let result = allocator.allocate(request)
            if j == 0 { summary.first = (try? result.get())?.addresses ?? [] }
            if j == requests.count - 1 { summary.last = (try? result.get())?.addresses ?? [] }
            switch result {
            case .success(let assignment):
                for address in assignment.addresses {
                    holders[address, default: []].append(j)
                }
                if assignment.addresses.contains(where: { $0.family == .ipv4 }) { summary.servedIPv4 += 1 }
                let missing = wantedFamilies(request).filter { family in
                    !assignment.addresses.contains { $0.family == family }
                }
                guard !missing.isEmpty else { continue }
                summary.degraded += 1
                let scope = configuration.scope(forNamespace: request.service.namespace)
                if let scope, missing.allSatisfy({ isFull(allocator, scope, $0) }) { continue }
                summary.unexplained += 1
                summary.firstUnexplained = summary.firstUnexplained ?? "\(assignment) lacks \(missing)"
            case .failure(let failure):
                summary.failed += 1
                if case .exhausted(let scope, let family) = failure, isFull(allocator, scope, family) {
                    summary.exhausted += 1
                    summary.firstExhausted = summary.firstExhausted ?? "\(request.service): \(failure)"
                } else {
                    summary.unexplained += 1
                    summary.firstUnexplained = summary.firstUnexplained ?? "\(request.service): \(failure)"
                }
            }
        }
        for (address, services) in holders {
            if address.family == .ipv4 { summary.distinctIPv4 += 1 } else { summary.distinctIPv6 += 1 }
            guard services.count > 1 else { continue }
            summary.heldByMoreThanOne += 1
            var ports = Set<ServicePort>()
            var total = 0
            for j in services {
                ports.formUnion(requests[j].ports)
                total += Set(requests[j].ports).count
            }
            if ports.count != total { summary.portClashes += 1 }
        }
        summary.outsidePool = allocator.drift().count
        require(
            allocator.assignmentCount == requests.count - summary.failed,
            "[\(label)] allocator reports \(allocator.assignmentCount) assignments, expected "
                + "\(requests.count - summary.failed)")
        require(
            allocator.heldAddressCount == summary.distinct,
            "[\(label)] allocator reports \(allocator.heldAddressCount) held addresses, the assignments name "
                + "\(summary.distinct)")
        return (summary, allocator)
    }

    /// The families a request needs at least to be fully served.
    static func wantedFamilies(_ request: AddressRequest) -> [IPFamily] {
        request.familyPolicy == .singleStack ? [request.families.first ?? .ipv4] : [.ipv4, .ipv6]
    }

    /// Whether every allocatable address of the scope's pool in `family` is held.
    static func isFull(_ allocator: Allocator, _ scope: PoolScope, _ family: IPFamily) -> Bool {
        guard let usage = allocator.usage().first(where: { $0.scope == scope && $0.family == family }) else {
            return false
        }
        return UInt128(usage.used) == usage.capacity
    }

    /// The checks every non-sharing fill must pass: no unexplained refusal, no address twice, none outside
    /// its pool, Service 0 on 10.0.0.1, one distinct address per served Service and family.
    func requireExclusive(allowExhaustion: Bool) {
        require(unexplained == 0, "[\(label)] \(unexplained) unexplained failures: \(firstUnexplained ?? "")")
        require(
            allowExhaustion || (failed == 0 && degraded == 0),
            "[\(label)] \(failed) refused, \(degraded) degraded: \(firstExhausted ?? "")")
        require(distinctIPv4 == servedIPv4, "[\(label)] \(distinctIPv4) distinct IPv4 for \(servedIPv4) Services")
        require(heldByMoreThanOne == 0, "[\(label)] \(heldByMoreThanOne) addresses held by two Services")
        require(outsidePool == 0, "[\(label)] \(outsidePool) addresses outside their pool")
        require(first.first == IPAddress("10.0.0.1"), "[\(label)] Service 0 got \(first), not 10.0.0.1")
    }
}

/// The Services and configuration of one fill, built once, outside the timed region.
final class FillFixture {
    let configuration: PoolConfiguration
    let requests: [AddressRequest]
    /// Refusals the checked fill saw; a timed fill must see the same.
    let failures: Int

    init(configuration: PoolConfiguration, requests: [AddressRequest], failures: Int) {
        self.configuration = configuration
        self.requests = requests
        self.failures = failures
    }
}

/// An allocator kept across benchmark iterations (a class, so iterations mutate it in place).
final class LiveAllocator {
    var allocator: Allocator
    /// The Services it holds, for picking random victims.
    var services: [ServiceKey]
    var random: SplitMix64
    var nextID = 0

    init(allocator: Allocator, services: [ServiceKey], seed: UInt64) {
        self.allocator = allocator
        self.services = services
        random = SplitMix64(seed: seed)
    }

    /// A new, never used Service in a random namespace, with one port TCP/80.
    func newRequest(prefix: String) -> AddressRequest {
        let namespace = Layout.namespace(random.next(below: Layout.namespaceCount))
        nextID += 1
        return AddressRequest(
            service: ServiceKey(namespace: namespace, name: "\(prefix)-\(padded(nextID, 7))"),
            ports: [ServicePort(.tcp, 80)])
    }

    /// Stops the run unless it still holds `services.count` Services, each address once, all in their pools.
    func check(_ label: String) {
        let expected = services.count
        require(
            allocator.assignmentCount == expected,
            "[\(label)] \(allocator.assignmentCount) assignments, expected \(expected)")
        require(
            allocator.heldAddressCount == expected,
            "[\(label)] \(allocator.heldAddressCount) held addresses for \(expected) single-stack Services")
        require(allocator.drift().isEmpty, "[\(label)] addresses outside their pool: \(allocator.drift().prefix(3))")
    }
}
