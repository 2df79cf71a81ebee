import KubernetesModels
import Testing

@testable import LeaderElection

@Suite("Lease claim decisions")
struct LeaseClaimTests {
    let configuration = LeaderElectionConfiguration(leaseName: "lock", namespace: "kube-system", identity: "me")
    let earlier = MicroTime(microsecondsSinceEpoch: 1_000_000)
    let later = MicroTime(microsecondsSinceEpoch: 9_000_000)

    private func lease(holder: String?, seconds: Int? = 15, version: String = "7", transitions: Int = 2) -> Lease {
        Lease(
            metadata: ObjectMeta(name: "lock", namespace: "kube-system", resourceVersion: version),
            spec: LeaseSpec(
                holderIdentity: holder, leaseDurationSeconds: seconds, acquireTime: earlier, renewTime: earlier,
                leaseTransitions: transitions))
    }

    private func decide(_ lease: Lease, observedAt: Duration = .zero, now: Duration) -> LeaseClaim {
        LeaseClaim.decide(
            observation: LeaseObservation(lease: lease, observedAt: observedAt), configuration: configuration,
            now: now, wallTime: later)
    }

    @Test("renewing our own Lease keeps acquireTime and the transition count, and carries the resourceVersion")
    func renewKeepsAcquireTime() {
        guard case .update(let written) = decide(lease(holder: "me"), now: .seconds(1)) else {
            Issue.record("expected an update")
            return
        }
        #expect(written.spec?.acquireTime == earlier)
        #expect(written.spec?.renewTime == later)
        #expect(written.spec?.leaseTransitions == 2)
        #expect(written.metadata.resourceVersion == "7")
    }

    @Test("taking over an expired Lease counts a transition and restarts acquireTime")
    func takeoverCountsTransition() {
        guard case .update(let written) = decide(lease(holder: "other"), now: .seconds(15)) else {
            Issue.record("expected an update")
            return
        }
        #expect(written.spec?.holderIdentity == "me")
        #expect(written.spec?.acquireTime == later)
        #expect(written.spec?.leaseTransitions == 3)
        #expect(written.spec?.leaseDurationSeconds == 15)
    }

    @Test("another holder's Lease is followed until its duration has passed since we saw it change")
    func followsUntilExpiry() {
        let held = lease(holder: "other")
        #expect(decide(held, observedAt: .seconds(100), now: .milliseconds(114_999)) == .follow(holder: "other"))
        guard case .update = decide(held, observedAt: .seconds(100), now: .seconds(115)) else {
            Issue.record("expected a takeover at observation + leaseDurationSeconds")
            return
        }
    }

    @Test("an empty holder means free: taken at once")
    func emptyHolderIsFree() {
        guard case .update(let written) = decide(lease(holder: ""), now: .zero) else {
            Issue.record("expected an update")
            return
        }
        #expect(written.spec?.leaseTransitions == 3)
    }

    @Test("no Lease: create one held by us with no transitions")
    func createsAbsentLease() {
        let claim = LeaseClaim.decide(observation: nil, configuration: configuration, now: .zero, wallTime: later)
        guard case .create(let created) = claim else {
            Issue.record("expected a create")
            return
        }
        #expect(created.metadata.name == "lock")
        #expect(created.metadata.resourceVersion == nil)
        #expect(created.spec == LeaseSpec(
            holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: later, renewTime: later, leaseTransitions: 0))
    }

    @Test("re-reading an unchanged record keeps the observation time; any new write restarts it")
    func observationRestartsOnlyOnChange() {
        let observation = LeaseObservation(lease: lease(holder: "other"), observedAt: .seconds(3))
        #expect(observation.updated(with: lease(holder: "other"), at: .seconds(9)).observedAt == .seconds(3))
        #expect(
            observation.updated(with: lease(holder: "other", version: "8"), at: .seconds(9)).observedAt
                == .seconds(9))
    }

    @Test("a Lease deleted while another holder's term runs counts as held until the term ends")
    func deletedUnderLiveHolder() {
        let previous = LeaseObservation(lease: lease(holder: "other"), observedAt: .seconds(3))
        let during = LeaseObservation.after(
            reading: nil, previous: previous, at: .seconds(17), configuration: configuration)
        #expect(during == previous)
        let after = LeaseObservation.after(
            reading: nil, previous: previous, at: .seconds(18), configuration: configuration)
        #expect(after == nil)
    }

    @Test("a Lease without a duration is judged with our own, not as expired at once")
    func missingDurationUsesOurs() {
        let held = lease(holder: "other", seconds: nil)
        #expect(decide(held, now: .seconds(14)) == .follow(holder: "other"))
    }

    @Test("releasing empties the holder, shortens the duration to one second and keeps the transitions")
    func releaseShape() {
        let released = LeaseClaim.release(lease(holder: "me"), wallTime: later)
        #expect(released.spec?.holderIdentity == "")
        #expect(released.spec?.leaseDurationSeconds == 1)
        #expect(released.spec?.renewTime == later)
        #expect(released.spec?.leaseTransitions == 2)
        #expect(released.metadata.resourceVersion == "7")
    }
}
