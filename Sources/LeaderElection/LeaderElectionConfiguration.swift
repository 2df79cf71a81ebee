/// Which Lease to compete for, as whom, and the three timings of client-go's leader election.
///
/// The timings are a safety argument, not tuning knobs: a leader stops writing `renewDeadline` after its last
/// successful renewal started, while a peer waits `leaseDuration` after it *saw* that renewal before taking
/// over, so `renewDeadline < leaseDuration` is what keeps two leaders from ever writing at the same time.
public struct LeaderElectionConfiguration: Sendable, Hashable {
    /// The Lease object, e.g. `kube-vip-cloud-controller`, `plndr-svcs-lock`, `kubevip-<service>`.
    public var leaseName: String
    public var namespace: String
    /// This replica's name in `holderIdentity`; must differ between replicas (usually the pod or node name).
    public var identity: String
    /// How long peers wait, after they last saw the Lease change, before they consider it abandoned.
    public var leaseDuration: Duration
    /// How long after the start of its last successful renewal the leader may still write.
    public var renewDeadline: Duration
    /// How often to try to acquire or renew.
    public var retryPeriod: Duration
    /// Followers wait a random extra of up to this fraction of `retryPeriod` between attempts, so replicas
    /// started together do not hit the API server in lockstep. Zero makes the schedule deterministic.
    public var retryJitter: Double

    public init(
        leaseName: String, namespace: String, identity: String,
        leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
        retryPeriod: Duration = .seconds(2), retryJitter: Double = 0.2
    ) {
        self.leaseName = leaseName
        self.namespace = namespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.retryJitter = retryJitter
    }

    /// client-go's rule, `leaseDuration > renewDeadline > 1.2 × retryPeriod > 0`: the leader needs a few
    /// renewal attempts before its deadline, and must stop before a peer may take over.
    public func validate() throws(LeaderElectionConfigurationError) {
        func fail(_ message: String) -> LeaderElectionConfigurationError {
            LeaderElectionConfigurationError(message: "leader election for Lease \(namespace)/\(leaseName): \(message)")
        }
        if leaseName.isEmpty { throw fail("the Lease name is empty") }
        if namespace.isEmpty { throw fail("the namespace is empty") }
        if identity.isEmpty { throw fail("the identity (holderIdentity of this replica) is empty") }
        if retryPeriod <= .zero {
            throw fail("retryPeriod (\(Self.seconds(retryPeriod))) must be greater than zero")
        }
        if !(retryJitter >= 0 && retryJitter.isFinite) {
            throw fail("retryJitter (\(retryJitter)) must be zero or a positive fraction of retryPeriod")
        }
        if renewDeadline <= retryPeriod * 1.2 {
            throw fail(
                "renewDeadline (\(Self.seconds(renewDeadline))) must be longer than 1.2 × retryPeriod "
                    + "(\(Self.seconds(retryPeriod * 1.2))), or the leader gets no second chance to renew")
        }
        if leaseDuration <= renewDeadline {
            throw fail(
                "leaseDuration (\(Self.seconds(leaseDuration))) must be longer than renewDeadline "
                    + "(\(Self.seconds(renewDeadline))), or a peer may take over while the leader still writes")
        }
    }

    /// `leaseDurationSeconds` as written into the Lease: whole seconds, rounded up so that peers never wait
    /// less than configured.
    var leaseDurationSeconds: Int {
        let (seconds, attoseconds) = leaseDuration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }

    /// `15s`, `0.7s`: how the messages show a duration.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        guard milliseconds != 0 else { return "\(seconds)s" }
        var fraction = String(abs(milliseconds))
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = seconds == 0 && milliseconds < 0 ? "-" : ""
        return "\(sign)\(seconds).\(fraction)s"
    }
}

/// Why a `LeaderElectionConfiguration` cannot be used.
public struct LeaderElectionConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(message: String) { self.message = message }

    public var description: String { message }
}
