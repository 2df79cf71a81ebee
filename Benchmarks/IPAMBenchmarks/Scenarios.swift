import Benchmark
import IPAM
import NetworkAddresses

// Benchmarks of the address allocator on the peer-benchmark layouts (see Layouts.swift and
// /work/shared/reference/peer-bench.md). Every benchmark runs in its own process; its setup builds the
// configuration and the Services, runs the correctness checks once and prints what was handed out to stderr,
// and only the allocator calls are inside startMeasurement()/stopMeasurement().

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        warmupIterations: 1,
        maxDuration: .seconds(2),
        maxIterations: 100
    )

    // (a) Fills on the peer layouts, and the ×16 overlap layout for 100,000.
    require(Layout.disjointLast(20_000) == IPAddress("10.0.239.94"), "disjointLast disagrees with peer-bench.md")
    for (count, iterations) in [(1_000, 400), (5_000, 100), (10_000, 50), (20_000, 30)] {
        registerFill(.overlap, count: count, maxIterations: iterations)
    }
    registerFill(.overlapScaled, count: 20_000, maxIterations: 30)
    registerFill(.overlapScaled, count: 100_000, maxIterations: 12, maxDuration: .seconds(6))
    for (count, iterations) in [(1_000, 400), (5_000, 100), (10_000, 50), (20_000, 30)] {
        registerFill(.disjoint, count: count, maxIterations: iterations, expectedLast: Layout.disjointLast(count))
    }
    registerFill(.overlapDualStack, count: 20_000, maxIterations: 30)

    // What startMeasurement()/stopMeasurement() alone cost, to read the per-call numbers below against.
    Benchmark(
        "Harness overhead (empty measured region)",
        configuration: .init(timeUnits: .nanoseconds, maxDuration: .seconds(1), maxIterations: 200_000)
    ) { benchmark in
        benchmark.startMeasurement()
        benchmark.stopMeasurement()
    }

    // (b) Steady churn and a single allocation next to 100,000 Services.
    registerChurn()
    registerSingleAllocation()

    // (c) Requested addresses next to 20,000 Services.
    registerStaticRequests()

    // (d) allow-share-global with random ports.
    for portNumbers in [1...1024, 1...65535] {
        for count in [10_000, 20_000] {
            registerSharingFill(count: count, portNumbers: portNumbers)
        }
    }
}

/// Custom metrics. Integers only, so nanoseconds.
enum Metrics {
    /// Fill wall clock divided by N, measured around the same loop as the wall clock metric.
    static let nsPerAllocation = BenchmarkMetric.custom(
        "ns per allocation", polarity: .prefersSmaller, useScalingFactor: false)
    /// Distinct addresses used by a fill (sharing runs).
    static let distinctAddresses = BenchmarkMetric.custom(
        "distinct addresses", polarity: .prefersSmaller, useScalingFactor: false)
}

/// Holds what a benchmark's setup built, for its iterations and teardown.
final class Slot<Value> {
    var value: Value?

    var unwrapped: Value {
        guard let value else { fatalError("benchmark state used before its setup ran") }
        return value
    }
}

// MARK: (a) Fills

/// One iteration = allocate N Services in j order into a fresh allocator.
func registerFill(
    _ layout: Layout, count: Int, maxIterations: Int, maxDuration: Duration = .seconds(3),
    expectedLast: IPAddress? = nil
) {
    let name = "Fill \(layout) N=\(count)"
    let fixture = Slot<FillFixture>()
    Benchmark(
        name,
        configuration: .init(
            metrics: Benchmark.defaultConfiguration.metrics + [.peakMemoryResident, Metrics.nsPerAllocation],
            units: [Metrics.nsPerAllocation: .count],
            maxDuration: maxDuration, maxIterations: maxIterations)
    ) { benchmark in
        timedFill(benchmark, fixture.unwrapped)
    } setup: {
        let configuration = layout.configuration()
        let requests = layout.requests(count: count)
        let (summary, _) = FillSummary.fill(name, configuration, requests)
        log(summary.description)
        // Only the peer's own overlap layout runs namespace pools dry (see Layout.overlap).
        summary.requireExclusive(allowExhaustion: layout == .overlap || layout == .overlapDualStack)
        if layout.familyPolicy != .singleStack {
            require(summary.distinctIPv6 == count, "[\(name)] \(summary.distinctIPv6) distinct IPv6 addresses")
        }
        if let expectedLast {
            require(summary.last == [expectedLast], "[\(name)] last address \(summary.last), expected \(expectedLast)")
        }
        fixture.value = FillFixture(configuration: configuration, requests: requests, failures: summary.failed)
    }
}

/// Allocates every request of `fixture` into a fresh allocator inside the measured region.
func timedFill(_ benchmark: Benchmark, _ fixture: FillFixture) {
    var allocator = Allocator(configuration: fixture.configuration)
    var failures = 0
    let clock = ContinuousClock()
    benchmark.startMeasurement()
    let start = clock.now
    for request in fixture.requests {
        if case .failure = allocator.allocate(request) {
            failures += 1
        }
    }
    let elapsed = start.duration(to: clock.now)
    benchmark.stopMeasurement()
    require(
        failures == fixture.failures,
        "\(benchmark.name): \(failures) allocations failed in a timed fill, \(fixture.failures) in the checked one")
    require(allocator.assignmentCount == fixture.requests.count - failures, "\(benchmark.name): assignments lost")
    benchmark.measurement(Metrics.nsPerAllocation, Int(nanoseconds(elapsed) / Int64(fixture.requests.count)))
    blackHole(allocator)
}

func nanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
}

// MARK: (b) Churn and single allocations at 100,000

/// `count` Services allocated outside every timed region and checked like a fill; on the peer overlap layout
/// the genuinely exhausted refusals are allowed (the allocator then holds fewer than `count`).
func prefilled(_ label: String, _ layout: Layout, count: Int, seed: UInt64) -> LiveAllocator {
    let requests = layout.requests(count: count)
    let (summary, allocator) = FillSummary.fill(label, layout.configuration(), requests)
    log(summary.description)
    summary.requireExclusive(allowExhaustion: layout == .overlap)
    let held = requests.map(\.service).filter { allocator.assignment(for: $0) != nil }
    return LiveAllocator(allocator: allocator, services: held, seed: seed)
}

/// One iteration = release one random Service, then allocate a new one (random namespace, unique name).
func registerChurn() {
    let name = "Churn release+allocate N=100000 overlap-x16"
    let live = Slot<LiveAllocator>()
    Benchmark(
        name,
        configuration: .init(timeUnits: .nanoseconds, maxDuration: .seconds(3), maxIterations: 200_000)
    ) { benchmark in
        let state = live.unwrapped
        let index = state.random.next(below: state.services.count)
        let victim = state.services[index]
        let request = state.newRequest(prefix: "churn")
        benchmark.startMeasurement()
        let released = state.allocator.release(victim)
        let result = state.allocator.allocate(request)
        benchmark.stopMeasurement()
        require(released != nil, "\(name): \(victim) was not held")
        guard case .success = result else { fatalError("\(name): \(request.service) failed: \(result)") }
        state.services[index] = request.service
    } setup: {
        live.value = prefilled(name, .overlapScaled, count: 100_000, seed: 0xC4_0001)
    } teardown: {
        let state = live.unwrapped
        state.check(name)
        log(
            "[\(name)] \(state.nextID) Services replaced; still \(state.services.count) held, no duplicates, "
                + "none outside its pool")
    }
}

/// One iteration = allocate one new Service (measured), then release it (not measured).
func registerSingleAllocation() {
    let name = "Allocate one next to 100000 overlap-x16"
    let live = Slot<LiveAllocator>()
    Benchmark(
        name,
        configuration: .init(timeUnits: .nanoseconds, maxDuration: .seconds(3), maxIterations: 200_000)
    ) { benchmark in
        let state = live.unwrapped
        let request = state.newRequest(prefix: "one")
        benchmark.startMeasurement()
        let result = state.allocator.allocate(request)
        benchmark.stopMeasurement()
        guard case .success = result else { fatalError("\(name): \(request.service) failed: \(result)") }
        state.allocator.release(request.service)
    } setup: {
        live.value = prefilled(name, .overlapScaled, count: 100_000, seed: 0xC4_0002)
    } teardown: {
        live.unwrapped.check(name)
    }
}

// MARK: (c) Requested addresses

/// 20,000 Services on the overlap layout plus prepared requests for specific addresses.
final class StaticFixture {
    let live: LiveAllocator
    let requests: [AddressRequest]
    var cursor = 0

    init(live: LiveAllocator, requests: [AddressRequest]) {
        self.live = live
        self.requests = requests
    }

    func next() -> AddressRequest {
        defer { cursor = (cursor + 1) % requests.count }
        return requests[cursor]
    }
}

enum StaticKind: CustomStringConvertible {
    /// A free address inside the pools (`10.0.0.0/16`, also inside namespace pools where they reach).
    case freeInPool
    /// A free address outside every pool (`192.168.0.0/16`).
    case outsidePools
    /// An address another Service holds: refused.
    case held

    var description: String {
        switch self {
        case .freeInPool: "Request free in-pool address, claim+release"
        case .outsidePools: "Request address outside pools, claim+release"
        case .held: "Request held address, refused"
        }
    }

    /// 1,024 addresses of this kind, picked at random (fixed seed) after the pre-fill.
    func addresses(_ allocator: Allocator, _ random: inout SplitMix64) -> [IPAddress] {
        let base: UInt32 = self == .outsidePools ? 0xC0A8_0000 : 0x0A00_0000  // 192.168.0.0, 10.0.0.0
        var candidates: [IPAddress] = []
        for offset in UInt32(0)..<65_536 where offset & 0xFF != 0 && offset & 0xFF != 0xFF {
            let address = IPAddress(ipv4: base + offset)
            if allocator.holders(of: address).isEmpty == (self != .held) {
                candidates.append(address)
            }
        }
        candidates.shuffle(using: &random)
        return Array(candidates.prefix(1_024))
    }
}

func registerStaticRequests() {
    for kind in [StaticKind.freeInPool, .outsidePools, .held] {
        let name = "\(kind) N=20000 overlap"
        let fixture = Slot<StaticFixture>()
        Benchmark(
            name,
            configuration: .init(timeUnits: .nanoseconds, maxDuration: .seconds(2), maxIterations: 200_000)
        ) { benchmark in
            let state = fixture.unwrapped
            let request = state.next()
            benchmark.startMeasurement()
            let result = state.live.allocator.allocate(request)
            if kind != .held {
                state.live.allocator.release(request.service)
            }
            benchmark.stopMeasurement()
            switch (kind, result) {
            case (.held, .failure(.addressInUse)):
                break
            case (.freeInPool, .success(let assignment)), (.outsidePools, .success(let assignment)):
                require(assignment.addresses == request.requestedAddresses, "\(name): got \(assignment)")
            default:
                fatalError("\(name): \(request.requestedAddresses) gave \(result)")
            }
        } setup: {
            let live = prefilled(name, .overlap, count: 20_000, seed: 0x57A7)
            let addresses = kind.addresses(live.allocator, &live.random)
            require(addresses.count == 1_024, "\(name): only \(addresses.count) candidate addresses")
            let requests = addresses.enumerated().map { i, address in
                AddressRequest(
                    service: ServiceKey(namespace: Layout.namespace(i % Layout.namespaceCount), name: "static-\(i)"),
                    ports: [ServicePort(.tcp, 80)], requestedAddresses: [address])
            }
            log("[\(name)] 1024 requested addresses, e.g. \(addresses.prefix(4).map(\.description))")
            fixture.value = StaticFixture(live: live, requests: requests)
        } teardown: {
            fixture.unwrapped.live.check(name)
        }
    }
}

// MARK: (d) allow-share

/// One iteration = fill N Services with 1–3 random TCP/UDP ports into the overlap layout with
/// `allow-share-global: true` (which every namespace inherits, none has its own allow-share key).
func registerSharingFill(count: Int, portNumbers: ClosedRange<Int>) {
    let name = "Fill shared ports 1-\(portNumbers.upperBound) overlap N=\(count)"
    let fixture = Slot<FillFixture>()
    let distinct = Slot<Int>()
    Benchmark(
        name,
        configuration: .init(
            metrics: Benchmark.defaultConfiguration.metrics + [
                .peakMemoryResident, Metrics.nsPerAllocation, Metrics.distinctAddresses,
            ],
            units: [Metrics.nsPerAllocation: .count, Metrics.distinctAddresses: .count],
            maxDuration: .seconds(4), maxIterations: 20)
    ) { benchmark in
        timedFill(benchmark, fixture.unwrapped)
        benchmark.measurement(Metrics.distinctAddresses, distinct.unwrapped)
    } setup: {
        let configuration = Layout.overlap.configuration(sharing: true)
        let requests = Layout.overlap.sharingRequests(
            count: count, portNumbers: portNumbers, seed: 0x5EED_0000 + UInt64(portNumbers.upperBound))
        let clock = ContinuousClock()
        let start = clock.now
        let (summary, _) = FillSummary.fill(name, configuration, requests)
        let elapsed = start.duration(to: clock.now)
        log(summary.description + " (checked fill took \(elapsed))")
        require(summary.failed == 0 && summary.unexplained == 0, "[\(name)] \(summary.failed) allocations failed")
        require(summary.portClashes == 0, "[\(name)] \(summary.portClashes) addresses with clashing ports")
        require(summary.outsidePool == 0, "[\(name)] \(summary.outsidePool) addresses outside their pool")
        require(summary.first.first == IPAddress("10.0.0.1"), "[\(name)] first address \(summary.first)")
        fixture.value = FillFixture(configuration: configuration, requests: requests, failures: 0)
        distinct.value = summary.distinct
    }
}
