import KubernetesModels
import Testing

@testable import LeaderElection

@Suite("Leader elector: renewing and losing", .timeLimit(.minutes(1)))
struct ElectorRenewalTests {
    @Test("a leader renews every retryPeriod and reports leading only once")
    func renewsEveryRetryPeriod() async throws {
        try await withElection(["a"]) { h in
            try await h.advance(to: .seconds(10))
            #expect(await h.store.writes(by: "a").map(\.at) == [0, 2, 4, 6, 8, 10].map { Duration.seconds($0) })
            #expect(h.changes("a") == [.leading])
        }
    }

    @Test("each renewal moves the fence deadline to renewDeadline after the renewal started")
    func renewalMovesDeadline() async throws {
        try await withElection(["a"]) { h in
            try await h.advance(to: .seconds(9))
            #expect(h.fence("a").remaining() == .seconds(9))
        }
    }

    @Test("renewing keeps the holder's acquireTime and transition count")
    func renewalKeepsAcquireTime() async throws {
        try await withElection(["a"]) { h in
            let first = try #require(await h.store.lease(namespace: testNamespace, name: testLeaseName))
            try await h.advance(to: .seconds(6))
            let renewed = try #require(await h.store.lease(namespace: testNamespace, name: testLeaseName))
            #expect(renewed.spec?.acquireTime == first.spec?.acquireTime)
            #expect(renewed.spec?.leaseTransitions == 0)
            #expect(renewed.spec?.renewTime != first.spec?.renewTime)
        }
    }

    @Test("a leader whose renewals fail closes its fence at renewDeadline, before the Lease could expire for others")
    func failingRenewalsCloseFence() async throws {
        try await withElection(["a"]) { h in
            h.view("a").inject(.failing)
            try await h.advance(to: .milliseconds(9_999))
            #expect(h.fence("a").permitsWrites())
            try await h.advance(to: .seconds(10))
            #expect(!h.fence("a").permitsWrites())
            #expect(h.changes("a") == [.leading, .following(holder: nil)])
            // Peers saw the last successful write (at 0) no earlier than it started, so for them the Lease
            // lasts until 15 at the earliest.
            let lostAt = try #require(h.changeTimes("a").last)
            #expect(lostAt == .seconds(10))
            #expect(lostAt < .seconds(15))
        }
    }

    @Test("a hanging renew request does not keep the fence open or delay noticing the loss")
    func hangingRenewal() async throws {
        try await withElection(["a"]) { h in
            h.view("a").inject(.hangingBeforeStore)
            try await h.advance(to: .seconds(10))
            #expect(!h.fence("a").permitsWrites())
            #expect(h.changes("a") == [.leading, .following(holder: nil)])
            #expect(h.changeTimes("a").last == .seconds(10))
            #expect(await h.store.writes(by: "a").count == 1)
        }
    }

    @Test("a renewal the server applied but whose answer was lost does not extend the fence")
    func lostAnswer() async throws {
        try await withElection(["a"]) { h in
            h.view("a").inject(.hangingAfterStore, writesOnly: true)
            try await h.advance(to: .seconds(10))
            #expect(await h.store.writes(by: "a").map(\.at) == [.seconds(0), .seconds(2)])
            #expect(!h.fence("a").permitsWrites())
            #expect(h.changeTimes("a").last == .seconds(10))
        }
    }

    @Test("a leader that lost the Lease to errors keeps campaigning and leads again once the server answers")
    func leadsAgainAfterErrors() async throws {
        try await withElection(["a"]) { h in
            h.view("a").inject(.failing)
            try await h.advance(to: .seconds(10))
            h.view("a").inject(nil)
            try await h.advance(to: .seconds(12))
            #expect(h.changes("a") == [.leading, .following(holder: nil), .leading])
            #expect(h.changeTimes("a") == [.seconds(0), .seconds(10), .seconds(12)])
            #expect(h.fence("a").permitsWrites())
        }
    }

    @Test("a leader that finds another holder in the Lease steps down at once")
    func stepsDownForAnotherHolder() async throws {
        try await withElection(["a"]) { h in
            try await h.advance(to: .seconds(3))
            await h.store.put(heldLease(by: "intruder"))
            try await h.advance(to: .seconds(4))
            #expect(h.changes("a") == [.leading, .following(holder: "intruder")])
            #expect(h.changeTimes("a").last == .seconds(4))
            #expect(!h.fence("a").permitsWrites())
        }
    }
}
