import KubernetesModels
import Testing

@testable import LeaderElection

@Suite("Leader elector: releasing", .timeLimit(.minutes(1)))
struct ElectorReleaseTests {
    @Test("release hands over: the follower takes the Lease on its next try, without waiting for expiry")
    func releaseHandsOver() async throws {
        try await withElection(["a", "b"]) { h in
            #expect(h.changes("b") == [.following(holder: "a")])
            try await h.advance(to: .seconds(3))
            try await h.stop("a")
            await h.elector("a").release()
            #expect(!h.fence("a").permitsWrites())
            try await h.advance(to: .seconds(4))
            #expect(h.changes("b") == [.following(holder: "a"), .leading])
            #expect(h.changeTimes("b").last == .seconds(4))
        }
    }

    @Test("a follower nudged after a release takes the Lease at once, not at its next retry")
    func nudgedFollowerTakesReleasedLeaseAtOnce() async throws {
        try await withElection(["a", "b"]) { h in
            try await h.advance(to: .seconds(3))
            try await h.stop("a")
            await h.elector("a").release()
            h.elector("b").nudge()
            // No virtual time passes: the nudge alone must make b try (a watch saw the release).
            for _ in 0..<400 where !h.changes("b").contains(.leading) {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(h.changes("b") == [.following(holder: "a"), .leading])
            #expect(h.changeTimes("b").last == .seconds(3))
        }
    }

    @Test("a nudge does not make a leader renew early")
    func nudgedLeaderKeepsItsBeat() async throws {
        try await withElection(["a"]) { h in
            let before = await h.store.writes(by: "a").count
            h.elector("a").nudge()
            try await h.advance(to: .milliseconds(1500))
            #expect(await h.store.writes(by: "a").count == before)
        }
    }

    @Test("a released Lease has no holder and a one-second duration; the next holder counts one transition")
    func releasedLeaseShapeAndTransitions() async throws {
        try await withElection(["a", "b"]) { h in
            try await h.stop("a")
            await h.elector("a").release()
            let released = try #require(await h.store.lease(namespace: testNamespace, name: testLeaseName))
            #expect(released.spec?.holderIdentity == "")
            #expect(released.spec?.leaseDurationSeconds == 1)
            #expect(released.spec?.leaseTransitions == 0)
            try await h.advance(to: .seconds(2))
            let taken = try #require(await h.store.lease(namespace: testNamespace, name: testLeaseName))
            #expect(taken.spec?.holderIdentity == "b")
            #expect(taken.spec?.leaseTransitions == 1)
        }
    }

    @Test("release gives the Lease up even when the stop cut off a renewal that the server had applied")
    func releaseAfterRenewalWithLostAnswer() async throws {
        try await withElection(["a", "b"]) { h in
            h.view("a").inject(.hangingAfterStore, writesOnly: true)
            try await h.advance(to: .seconds(2))
            try await h.stop("a")
            h.view("a").inject(nil)
            await h.elector("a").release()
            let released = try #require(await h.store.lease(namespace: testNamespace, name: testLeaseName))
            #expect(released.spec?.holderIdentity == "")
            #expect(await h.store.writes(by: "a").map(\.holder) == ["a", "a", ""])
            try await h.advance(to: .seconds(4))
            #expect(h.changes("b") == [.following(holder: "a"), .leading])
            #expect(h.changeTimes("b").last == .seconds(4))
        }
    }

    @Test("release gives up a Lease won by a write whose answer the stop cut off")
    func releaseAfterUnseenAcquisition() async throws {
        try await withElection(["a"], autostart: false) { h in
            h.view("a").inject(.hangingAfterStore, writesOnly: true)
            try await h.start("a")
            try await h.stop("a")
            h.view("a").inject(nil)
            await h.elector("a").release()
            let released = try #require(await h.store.lease(namespace: testNamespace, name: testLeaseName))
            #expect(released.spec?.holderIdentity == "")
            #expect(released.spec?.leaseDurationSeconds == 1)
            #expect(await h.store.writes(by: "a").map(\.holder) == ["a", ""])
        }
    }

    @Test("a replica that does not hold the Lease writes nothing on release")
    func followerReleasesNothing() async throws {
        try await withElection(["a", "b"]) { h in
            try await h.stop("b")
            await h.elector("b").release()
            #expect(await h.store.writes(by: "b").isEmpty)
            #expect(await h.store.lease(namespace: testNamespace, name: testLeaseName)?.spec?.holderIdentity == "a")
        }
    }

    @Test("release does not clobber a Lease another replica took over since this one last wrote it")
    func releaseAfterTakeoverIsHarmless() async throws {
        try await withElection(["a", "b"]) { h in
            h.view("a").inject(.failing)
            try await h.advance(to: .seconds(20))
            #expect(h.changes("b").last == .leading)
            try await h.stop("a")
            h.view("a").inject(nil)
            await h.elector("a").release()
            #expect(await h.store.lease(namespace: testNamespace, name: testLeaseName)?.spec?.holderIdentity == "b")
            #expect(await h.store.writes(by: "a").count == 1)
        }
    }
}
