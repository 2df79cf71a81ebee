import Foundation
import KubernetesClient
import KubernetesModels
import Logging
import Synchronization
import Testing

@testable import LeaderElection

/// Electors sharing one in-memory store, in virtual time. Tests move time with `advance`, which steps from
/// wake-up to wake-up and lets everything settle in between, so every round happens at its exact instant.
final class ElectionHarness: Sendable {
    struct Entry: Sendable {
        let elector: LeaderElector
        let view: LeaseStoreView
        let startSignal: AsyncStream<Void>
        let start: AsyncStream<Void>.Continuation
        let stopSignal: AsyncStream<Void>
        let stop: AsyncStream<Void>.Continuation
    }

    let world = VirtualWorld()
    let store: InMemoryLeaseStore
    let clock: ClientClock
    let entries: [String: Entry]

    init(identities: [String], jitterSeed: UInt64, configure: (inout LeaderElectionConfiguration) -> Void) {
        let world = self.world
        store = InMemoryLeaseStore(world: world)
        clock = ClientClock(VirtualClock(world: world))
        var logger = Logger(label: "leader-election-tests")
        logger.logLevel = .critical
        var entries: [String: Entry] = [:]
        for identity in identities {
            var configuration = LeaderElectionConfiguration(
                leaseName: testLeaseName, namespace: testNamespace, identity: identity, retryJitter: 0)
            configure(&configuration)
            let view = LeaseStoreView(store: store, caller: identity, world: world)
            let random = SeededRandom(seed: jitterSeed &+ UInt64(entries.count))
            let elector = LeaderElector(
                configuration: configuration, store: view, clock: clock,
                wallClock: { Date(timeIntervalSince1970: 1_750_000_000 + world.now.seconds) }, logger: logger,
                activity: { world.record($0, of: identity) },
                random: { random.unit() })
            let (startSignal, start) = AsyncStream<Void>.makeStream()
            let (stopSignal, stop) = AsyncStream<Void>.makeStream()
            entries[identity] = Entry(
                elector: elector, view: view, startSignal: startSignal, start: start, stopSignal: stopSignal,
                stop: stop)
            world.register(identity)
        }
        self.entries = entries
    }

    func elector(_ identity: String) -> LeaderElector { entry(identity).elector }
    func fence(_ identity: String) -> WriteFence { entry(identity).elector.fence }
    func view(_ identity: String) -> LeaseStoreView { entry(identity).view }

    /// What the elector's `changes` stream has delivered so far.
    func changes(_ identity: String) -> [Leadership] {
        world.snapshot.electors[identity]?.received.map(\.0) ?? []
    }

    /// When (virtual time) each change was delivered.
    func changeTimes(_ identity: String) -> [Duration] {
        world.snapshot.electors[identity]?.received.map(\.1) ?? []
    }

    var now: Duration { world.now }

    /// Calls `run()` on the elector and waits until it has settled after its first round.
    func start(_ identities: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await start(identities, sourceLocation: sourceLocation)
    }

    /// Starts several electors at the same instant, racing.
    func start(_ identities: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for identity in identities {
            world.starting(identity)
            entry(identity).start.yield()
        }
        try await world.settle(
            "after starting \(identities.joined(separator: ", "))", sourceLocation: sourceLocation)
    }

    /// Cancels the elector's `run()` and waits until it has returned.
    func stop(_ identity: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        entry(identity).stop.yield()
        try await world.wait(
            for: "\(identity)'s run() to return once cancelled", until: { $0.electors[identity]?.phase == .stopped },
            sourceLocation: sourceLocation)
        try await world.settle("after stopping \(identity)", sourceLocation: sourceLocation)
    }

    func advance(
        by duration: Duration, eachStep: (ElectionHarness) async -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await advance(to: now + duration, eachStep: eachStep, sourceLocation: sourceLocation)
    }

    /// Moves time to `instant` through every wake-up on the way, settling (and calling `eachStep`) after
    /// each one.
    func advance(
        to instant: Duration, eachStep: (ElectionHarness) async -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let goal = LeaderElectionConfiguration.seconds(instant)
        while true {
            try await world.settle(
                "at \(LeaderElectionConfiguration.seconds(now)) on the way to \(goal)", sourceLocation: sourceLocation)
            await eachStep(self)
            guard let next = world.snapshot.earliestDeadline, next <= instant else { break }
            world.advance(to: next)
        }
        world.advance(to: instant)
        try await world.settle("at \(goal)", sourceLocation: sourceLocation)
        await eachStep(self)
    }

    fileprivate func runWhenStarted(_ identity: String) async {
        let entry = entry(identity)
        for await _ in entry.startSignal { break }
        guard !Task.isCancelled else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await VirtualWorld.$owner.withValue(identity) { await entry.elector.run() } }
            group.addTask {
                for await _ in entry.stopSignal { break }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    fileprivate func collect(_ identity: String) async {
        for await change in entry(identity).elector.changes {
            world.received(change, by: identity)
        }
        world.streamFinished(of: identity)
    }

    private func entry(_ identity: String) -> Entry {
        guard let entry = entries[identity] else { fatalError("no elector \(identity) in this test") }
        return entry
    }
}

let testLeaseName = "kube-vip-cloud-controller"
let testNamespace = "kube-system"

/// Runs electors named `identities` for the length of `body`, and cancels and awaits them however `body`
/// ends. With `autostart` they are started one after the other (each settles before the next starts), so
/// the first one listed wins an absent or free Lease. Jitter, when configured, draws from generators
/// seeded with `jitterSeed`.
func withElection(
    _ identities: [String], autostart: Bool = true, seed: [Lease] = [], jitterSeed: UInt64 = 0,
    configure: (inout LeaderElectionConfiguration) -> Void = { _ in },
    _ body: (ElectionHarness) async throws -> Void
) async throws {
    let harness = ElectionHarness(identities: identities, jitterSeed: jitterSeed, configure: configure)
    for lease in seed { await harness.store.put(lease) }
    try await withThrowingTaskGroup(of: Void.self) { group in
        for identity in identities {
            group.addTask { await harness.runWhenStarted(identity) }
            group.addTask { await harness.collect(identity) }
        }
        do {
            if autostart {
                for identity in identities { try await harness.start(identity) }
            }
            try await body(harness)
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
    }
}

/// A Lease held by someone other than the electors under test.
func heldLease(
    by holder: String, durationSeconds: Int? = 15, renewTime: MicroTime = MicroTime(microsecondsSinceEpoch: 0),
    transitions: Int = 3
) -> Lease {
    Lease(
        metadata: ObjectMeta(name: testLeaseName, namespace: testNamespace),
        spec: LeaseSpec(
            holderIdentity: holder, leaseDurationSeconds: durationSeconds, acquireTime: renewTime,
            renewTime: renewTime, leaseTransitions: transitions))
}

/// Reproducible numbers in 0..<1 for an elector's jitter.
final class SeededRandom: Sendable {
    private let generator: Mutex<SplitMix64>

    init(seed: UInt64) { generator = Mutex(SplitMix64(seed: seed)) }

    func unit() -> Double {
        generator.withLock { Double($0.next() >> 11) / Double(UInt64(1) << 53) }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
