import KubernetesModels

/// The Lease as this replica last saw it, and when it first saw it that way, on its own monotonic clock.
///
/// Expiry is judged from this local observation time, never from `renewTime`: comparing another machine's
/// wall clock with ours would let clock skew hand the Lease to two replicas at once (client-go's
/// `observedTime`).
struct LeaseObservation: Sendable, Hashable {
    private(set) var lease: Lease
    /// When (on the elector's clock) the record last changed from this replica's point of view.
    private(set) var observedAt: Duration

    init(lease: Lease, observedAt: Duration) {
        self.lease = lease
        self.observedAt = observedAt
    }

    /// What we know after a read that found `lease` (or, `nil`, no Lease at all).
    ///
    /// A Lease that vanishes while another holder's term is still running (an administrator deleted it) is
    /// treated as still held until that term ends: recreating it at once would make us a second leader
    /// beside one that is still writing and has not noticed yet.
    static func after(
        reading lease: Lease?, previous: LeaseObservation?, at now: Duration,
        configuration: LeaderElectionConfiguration
    ) -> LeaseObservation? {
        if let lease {
            return previous?.updated(with: lease, at: now) ?? LeaseObservation(lease: lease, observedAt: now)
        }
        guard let previous, let holder = previous.holder, holder != configuration.identity,
            !previous.isExpired(at: now, fallback: configuration.leaseDuration)
        else { return nil }
        return previous
    }

    /// Records a fresh read. Only a changed record (holder, times, transitions, or any write at all, which
    /// the resourceVersion reveals) restarts the expiry clock; re-reading the same record does not.
    func updated(with lease: Lease, at now: Duration) -> LeaseObservation {
        if lease.spec == self.lease.spec && lease.metadata.resourceVersion == self.lease.metadata.resourceVersion {
            return self
        }
        return LeaseObservation(lease: lease, observedAt: now)
    }

    /// The current holder, `nil` when the Lease is free (no or an empty `holderIdentity`).
    var holder: String? {
        guard let holder = lease.spec?.holderIdentity, !holder.isEmpty else { return nil }
        return holder
    }

    /// Whether the holder has had `leaseDurationSeconds` (the Lease's own, as its holder promised peers)
    /// since the record last changed, without changing it again. A Lease without a duration is judged with
    /// `fallback` (our own configured duration) rather than as expired at once, so that a writer omitting the
    /// field cannot be overrun.
    func isExpired(at now: Duration, fallback: Duration) -> Bool {
        now >= expiry(fallback: fallback)
    }

    /// When, on our clock, the holder's term ends unless the record changes before.
    func expiry(fallback: Duration) -> Duration {
        if let seconds = lease.spec?.leaseDurationSeconds, seconds > 0 {
            return observedAt + .seconds(seconds)
        }
        return observedAt + fallback
    }
}
