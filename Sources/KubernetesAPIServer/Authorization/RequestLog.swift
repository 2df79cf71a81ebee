import Synchronization

/// Every request the embedded server was asked to serve, with the authorizer's answer, in arrival order: what
/// a test reads to see which API calls a role really makes.
public final class RequestLog: Sendable {
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        public var attributes: RequestAttributes
        public var allowed: Bool

        public var description: String { "\(allowed ? "allowed" : "DENIED"): \(attributes)" }
    }

    private let state = Mutex<[Entry]>([])

    public init() {}

    public func record(_ attributes: RequestAttributes, allowed: Bool) {
        state.withLock { $0.append(Entry(attributes: attributes, allowed: allowed)) }
    }

    public var entries: [Entry] { state.withLock { $0 } }

    /// The requests the authorizer refused.
    public var denied: [RequestAttributes] { entries.filter { !$0.allowed }.map(\.attributes) }

    /// The requests of one user (`User-Agent`).
    public func requests(of user: String) -> [RequestAttributes] {
        entries.map(\.attributes).filter { $0.user == user }
    }

    /// An authorizer hook for `APIServerConfiguration` that asks `decide` and records the question and answer.
    public func recording(_ decide: @escaping @Sendable (RequestAttributes) -> Bool)
        -> @Sendable (RequestAttributes) -> Bool
    {
        { attributes in
            let allowed = decide(attributes)
            self.record(attributes, allowed: allowed)
            return allowed
        }
    }

    /// A hook that allows everything and records it.
    public func recordingOnly() -> @Sendable (RequestAttributes) -> Bool {
        recording { _ in true }
    }
}
