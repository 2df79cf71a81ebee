import KubernetesModels
import Testing

@testable import LeaderElection

@Suite("Leader elector: racing replicas", .timeLimit(.minutes(1)))
struct ElectorRaceTests {
    /// After every wake-up: at most one fence open, each elector's fence agreeing with what it last reported,
    /// and an open fence only ever belonging to the holder the store names.
    private static func checkAtMostOneLeader(_ h: ElectionHarness) async {
        let open = ["a", "b"].filter { h.fence($0).permitsWrites() }
        #expect(open.count <= 1, "both fences open at \(h.now)")
        for identity in ["a", "b"] {
            #expect(
                h.fence(identity).permitsWrites() == (h.changes(identity).last == .leading),
                "\(identity)'s fence disagrees with its reported leadership at \(h.now)")
        }
        if let leader = open.first {
            let holder = await h.store.lease(namespace: testNamespace, name: testLeaseName)?.spec?.holderIdentity
            #expect(holder == leader, "\(leader) may write at \(h.now) but the Lease names \(holder ?? "nobody")")
        }
    }

    @Test(
        "two electors racing on one store, with failing, hanging and lost requests, never lead at the same time",
        arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func neverBothLeading(seed: UInt64) async throws {
        // Jitter and a staggered start put the two on different phases, so that every ordering of reads,
        // writes and deadlines comes up.
        let jittered: (inout LeaderElectionConfiguration) -> Void = { $0.retryJitter = 0.2 }
        try await withElection(["a", "b"], autostart: false, jitterSeed: seed, configure: jittered) { h in
            var random = SplitMix64(seed: seed)
            try await h.start("a")
            let stagger = Duration.milliseconds(Int64(random.next() % 2_000))
            try await h.advance(by: stagger, eachStep: { await Self.checkAtMostOneLeader($0) })
            try await h.start("b")
            await Self.checkAtMostOneLeader(h)
            for _ in 0..<150 {
                for identity in ["a", "b"] {
                    let roll = random.next() % 10
                    let faults: [Fault] = [.failing, .hangingBeforeStore, .hangingAfterStore]
                    let fault = roll < 6 ? nil : faults[Int(roll % 3)]
                    h.view(identity).inject(fault, writesOnly: random.next() % 2 == 0)
                }
                let step = Duration.milliseconds(Int64(100 + random.next() % 2_900))
                try await h.advance(by: step, eachStep: { await Self.checkAtMostOneLeader($0) })
            }
            let leaderships = ["a", "b"].map { h.changes($0).filter { $0 == .leading }.count }.reduce(0, +)
            #expect(leaderships > 1, "the faults should have moved the Lease at least once")
            h.view("a").inject(nil)
            h.view("b").inject(nil)
            try await h.advance(by: .seconds(40), eachStep: { await Self.checkAtMostOneLeader($0) })
            #expect(["a", "b"].filter { h.fence($0).permitsWrites() }.count == 1, "once healed, one replica leads")
        }
    }

    @Test("two electors started at the same instant on an absent Lease: exactly one leads, the other follows it")
    func simultaneousStart() async throws {
        try await withElection(["a", "b"], autostart: false) { h in
            try await h.start("a", "b")
            try await h.advance(to: .seconds(2))
            let leaders = ["a", "b"].filter { h.changes($0) == [.leading] }
            #expect(leaders.count == 1)
            let leader = try #require(leaders.first)
            let follower = leader == "a" ? "b" : "a"
            #expect(h.changes(follower).last == .following(holder: leader))
        }
    }
}

/// A small seeded generator, so a failing schedule of faults can be replayed.
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
}
