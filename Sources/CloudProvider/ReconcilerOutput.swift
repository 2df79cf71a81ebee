import IPAM
import KubernetesModels

/// What the allocation logic asks the outside world to do; the actor around it carries these out.
enum ReconcilerEffect: Sendable, Equatable {
    case write(ServiceWrite)
    case event(ServiceEventNote)
    /// The ConfigMap's problems changed: report them (log and Event on the ConfigMap).
    case configurationDiagnostics([Diagnostic])
    /// A Service got new addresses (for the allocations counter).
    case allocated(ServiceKey, scope: PoolScope?)
}

/// An Event about one Service, already worded.
struct ServiceEventNote: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case normal
        case warning
    }

    let service: ServiceKey
    let uid: String?
    let kind: Kind
    let reason: String
    let message: String
}

/// Why a Service is pending. The reason is the Event reason and the metric label, so it is a stable word.
struct PendingReason: Sendable, Hashable {
    let reason: String
    let message: String

    init(_ failure: AllocationFailure, configuration: PoolConfiguration, namespace: String) {
        if case .addressInUse = failure {
            reason = "AddressInUse"
            message = failure.description
            return
        }
        // A pool key that is present but broken leaves its scope with fewer (or no) addresses; say which key
        // and why, so the Event points at the fix rather than at the symptom.
        let problems = Self.poolProblems(configuration, namespace: namespace)
        if !problems.isEmpty {
            reason = "InvalidPool"
            message = "\(failure.description); the ConfigMap has errors: \(problems)"
            return
        }
        message = failure.description
        switch failure {
        case .noPool: reason = "NoAddressPool"
        case .noPoolForFamily: reason = "NoPoolForFamily"
        case .exhausted: reason = "PoolExhausted"
        case .noFamilyAvailable(let failures):
            let exhausted = failures.allSatisfy { if case .exhausted = $0 { true } else { false } }
            reason = exhausted ? "PoolExhausted" : "NoPoolForFamily"
        case .addressInUse: reason = "AddressInUse"
        }
    }

    init(_ problem: RecordProblem) {
        reason = "InvalidAddress"
        message = "cannot read \(problem)"
    }

    /// Errors in the keys of the scope the namespace draws from.
    private static func poolProblems(_ configuration: PoolConfiguration, namespace: String) -> String {
        let suffix = configuration.scope(forNamespace: namespace)?.keySuffix ?? "global"
        let keys = ["cidr-\(suffix)", "range-\(suffix)"]
        return configuration.diagnostics
            .filter { $0.severity == .error && keys.contains($0.key) }
            .map(\.description)
            .joined(separator: "; ")
    }
}

extension PoolScope {
    /// "the global pool", "the pool of namespace web", for Event messages.
    var phrase: String {
        switch self {
        case .global: "the global pool"
        case .namespace(let name): "the pool of namespace \(name)"
        }
    }
}
