import KubernetesModels
import Testing

@testable import LeaderElection

@Suite("Leader elector: acquiring", .timeLimit(.minutes(1)))
struct ElectorAcquisitionTests {
    @Test("acquires an absent Lease by creating it, held by itself, with no transitions")
    func acquiresAbsentLease() async throws {
        try await withElection(["a"]) { h in
            #expect(h.changes("a") == [.leading])
            let lease = try #require(await h.store.lease(namespace: testNamespace, name: testLeaseName))
            #expect(lease.spec?.holderIdentity == "a")
            #expect(lease.spec?.leaseDurationSeconds == 15)
            #expect(lease.spec?.leaseTransitions == 0)
            #expect(lease.spec?.acquireTime != nil)
            #expect(lease.spec?.acquireTime == lease.spec?.renewTime)
            #expect(await h.store.writes(by: "a").map(\.kind) == [.create])
        }
    }

    @Test("a new leader's fence is open for renewDeadline from the start of its write")
    func newLeaderFence() async throws {
        try await withElection(["a"]) { h in
            #expect(h.fence("a").permitsWrites())
            #expect(h.fence("a").remaining() == .seconds(10))
            #expect(await h.elector("a").isLeading)
        }
    }

    @Test("the first round reports following with an unknown holder when the API server cannot be reached")
    func firstFailedRoundReportsUnknown() async throws {
        try await withElection(["a"], autostart: false) { h in
            h.view("a").inject(.failing)
            try await h.start("a")
            #expect(h.changes("a") == [.following(holder: nil)])
            #expect(!h.fence("a").permitsWrites())
        }
    }

    @Test("a follower does not take a Lease another replica holds")
    func followerLeavesHeldLease() async throws {
        try await withElection(["a"], seed: [heldLease(by: "other")]) { h in
            #expect(h.changes("a") == [.following(holder: "other")])
            try await h.advance(to: .seconds(14))
            #expect(h.changes("a") == [.following(holder: "other")])
            #expect(await h.store.writes(by: "a").isEmpty)
            #expect(!h.fence("a").permitsWrites())
        }
    }

    @Test("a follower takes over the moment leaseDuration has passed since it saw the Lease change, however old renewTime is")
    func takeoverAfterOwnObservation() async throws {
        // renewTime is in 1970: judged by the remote timestamp the Lease would look long expired.
        let ancient = heldLease(by: "other", renewTime: MicroTime(microsecondsSinceEpoch: 0))
        try await withElection(["a"], seed: [ancient]) { h in
            try await h.advance(to: .seconds(14))
            #expect(h.changes("a") == [.following(holder: "other")])
            try await h.advance(to: .seconds(16))
            #expect(h.changes("a") == [.following(holder: "other"), .leading])
            // Seen at 0 with a 15 s term: tried at 15 exactly, not at the next retry (16).
            #expect(h.changeTimes("a").last == .seconds(15))
            let lease = try #require(await h.store.lease(namespace: testNamespace, name: testLeaseName))
            #expect(lease.spec?.holderIdentity == "a")
            #expect(lease.spec?.leaseTransitions == 4)
        }
    }

    @Test("a renewal seen by the follower restarts its wait")
    func renewalRestartsWait() async throws {
        try await withElection(["a"], seed: [heldLease(by: "other")]) { h in
            try await h.advance(to: .seconds(9))
            await h.store.put(heldLease(by: "other", renewTime: MicroTime(microsecondsSinceEpoch: 9_000_000)))
            try await h.advance(to: .seconds(24))
            #expect(h.changes("a") == [.following(holder: "other")])
            try await h.advance(to: .seconds(26))
            #expect(h.changes("a") == [.following(holder: "other"), .leading])
            // The renewal was first seen at the read at 10, so the term ends at 25.
            #expect(h.changeTimes("a").last == .seconds(25))
        }
    }

    @Test("a follower does not recreate a deleted Lease before the last holder's term has run out")
    func deletedLeaseWaitsForTerm() async throws {
        try await withElection(["a"], seed: [heldLease(by: "other")]) { h in
            try await h.advance(to: .seconds(5))
            await h.store.delete(name: testLeaseName)
            try await h.advance(to: .seconds(14))
            #expect(await h.store.writes(by: "a").isEmpty)
            #expect(h.changes("a") == [.following(holder: "other")])
            try await h.advance(to: .seconds(16))
            #expect(await h.store.writes(by: "a").map(\.kind) == [.create])
            #expect(h.changes("a").last == .leading)
        }
    }

    @Test("the Lease's own leaseDurationSeconds decides when it expires, not the follower's configuration")
    func leasesOwnDuration() async throws {
        try await withElection(["a"], seed: [heldLease(by: "other", durationSeconds: 40)]) { h in
            try await h.advance(to: .seconds(38))
            #expect(h.changes("a") == [.following(holder: "other")])
            try await h.advance(to: .seconds(40))
            #expect(h.changes("a").last == .leading)
            #expect(h.changeTimes("a").last == .seconds(40))
        }
    }

    @Test("a Lease with an empty holder is taken at once, as a transition")
    func freeLeaseTakenAtOnce() async throws {
        try await withElection(["a"], seed: [heldLease(by: "", transitions: 3)]) { h in
            #expect(h.changes("a") == [.leading])
            #expect(await h.store.writes(by: "a").map(\.kind) == [.update])
            let lease = try #require(await h.store.lease(namespace: testNamespace, name: testLeaseName))
            #expect(lease.spec?.leaseTransitions == 4)
        }
    }

    @Test("an invalid configuration ends run() at once, writing nothing and finishing the changes stream")
    func invalidConfigurationStops() async throws {
        try await withElection(["a"], configure: { $0.renewDeadline = $0.leaseDuration }) { h in
            #expect(h.world.snapshot.electors["a"]?.phase == .stopped)
            #expect(h.changes("a").isEmpty)
            #expect(await h.store.writes.isEmpty)
        }
    }
}
