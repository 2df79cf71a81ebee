import Synchronization

/// The outcome of one named health check; the reason of a failure is shown to whoever probes the endpoint.
public enum HealthCheckResult: Sendable, Hashable {
    case ok
    case failing(String)
}

/// The liveness and readiness checks of one process, evaluated afresh on every probe request so that the
/// answer is never older than the request.
///
/// Registration and evaluation may happen from any thread. Checks run outside the lock, so a check may itself
/// register checks or take locks of its own; checks should be quick, since a kubelet probe times out.
public final class HealthChecks: Sendable {
    private struct NamedCheck: Sendable {
        var name: String
        var check: @Sendable () -> HealthCheckResult
    }

    private struct Registered: Sendable {
        var liveness: [NamedCheck] = []
        var readiness: [NamedCheck] = []
    }

    private let registered = Mutex(Registered())

    public init() {}

    /// Adds a check to /livez and /healthz; a check with the same name is replaced, keeping its position, so
    /// that a component restarted in-process does not report twice.
    public func addLiveness(_ name: String, _ check: @escaping @Sendable () -> HealthCheckResult) {
        registered.withLock { Self.insert(NamedCheck(name: name, check: check), into: &$0.liveness) }
    }

    /// Adds a check to /readyz; a check with the same name is replaced, keeping its position.
    public func addReadiness(_ name: String, _ check: @escaping @Sendable () -> HealthCheckResult) {
        registered.withLock { Self.insert(NamedCheck(name: name, check: check), into: &$0.readiness) }
    }

    /// Runs every liveness check, in registration order.
    public func liveness() -> [(name: String, result: HealthCheckResult)] {
        Self.evaluate(registered.withLock { $0.liveness })
    }

    /// Runs every readiness check, in registration order.
    public func readiness() -> [(name: String, result: HealthCheckResult)] {
        Self.evaluate(registered.withLock { $0.readiness })
    }

    private static func insert(_ check: NamedCheck, into checks: inout [NamedCheck]) {
        if let index = checks.firstIndex(where: { $0.name == check.name }) {
            checks[index] = check
        } else {
            checks.append(check)
        }
    }

    private static func evaluate(_ checks: [NamedCheck]) -> [(name: String, result: HealthCheckResult)] {
        checks.map { (name: $0.name, result: $0.check()) }
    }
}
