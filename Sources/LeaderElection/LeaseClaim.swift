import KubernetesModels

/// One round of client-go's `tryAcquireOrRenew`, decided without I/O: given the Lease as just read, what to
/// write, if anything.
enum LeaseClaim: Sendable, Hashable {
    /// No Lease yet: create it, held by us.
    case create(Lease)
    /// The Lease is ours (renew), free, or expired (take over): write it back, held by us, with the read
    /// resourceVersion so that a concurrent writer makes this fail rather than be overwritten.
    case update(Lease)
    /// Someone else holds a Lease that has not expired.
    case follow(holder: String)

    /// - Parameters:
    ///   - observation: what we know of the Lease, already updated with the latest read; `nil` if absent.
    ///   - now: the elector's monotonic time, for expiry.
    ///   - wallTime: the wall-clock time written into `acquireTime`/`renewTime`, for humans and other tools;
    ///     no decision of ours depends on it.
    static func decide(
        observation: LeaseObservation?, configuration: LeaderElectionConfiguration, now: Duration,
        wallTime: MicroTime
    ) -> LeaseClaim {
        guard let observation else {
            let spec = LeaseSpec(
                holderIdentity: configuration.identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                acquireTime: wallTime, renewTime: wallTime, leaseTransitions: 0)
            let metadata = ObjectMeta(name: configuration.leaseName, namespace: configuration.namespace)
            return .create(Lease(metadata: metadata, spec: spec))
        }
        let holder = observation.holder
        if let holder, holder != configuration.identity,
            !observation.isExpired(at: now, fallback: configuration.leaseDuration)
        {
            return .follow(holder: holder)
        }
        var lease = observation.lease
        let old = lease.spec ?? LeaseSpec()
        var spec = old
        spec.holderIdentity = configuration.identity
        spec.leaseDurationSeconds = configuration.leaseDurationSeconds
        spec.renewTime = wallTime
        if holder == configuration.identity {
            spec.acquireTime = old.acquireTime ?? wallTime
            spec.leaseTransitions = old.leaseTransitions ?? 0
        } else {
            spec.acquireTime = wallTime
            spec.leaseTransitions = (old.leaseTransitions ?? 0) + 1
        }
        lease.spec = spec
        return .update(lease)
    }

    /// The Lease given up for an instant hand-over (client-go's `ReleaseOnCancel`): no holder, a one-second
    /// duration so that even a peer that ignores the empty holder waits only briefly, transitions unchanged.
    static func release(_ lease: Lease, wallTime: MicroTime) -> Lease {
        var released = lease
        var spec = lease.spec ?? LeaseSpec()
        spec.holderIdentity = ""
        spec.leaseDurationSeconds = 1
        spec.acquireTime = wallTime
        spec.renewTime = wallTime
        released.spec = spec
        return released
    }
}
