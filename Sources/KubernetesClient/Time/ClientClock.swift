/// The one view of time the client's machinery uses (rate limiter, retries, informer backoff, token
/// re-reads, event spam filter), erased from a generic `Clock` so that the public types need no clock
/// parameter while tests can still drive everything in virtual time.
public struct ClientClock: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleeper = { duration in
            try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil)
        }
    }

    /// The real, monotonic clock.
    public static var continuous: ClientClock { ClientClock(ContinuousClock()) }

    /// Time since this value was made; only differences are meaningful.
    public var now: Duration { elapsed() }

    /// Sleeps (cancellably) for `duration`; returns at once for zero or less.
    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else {
            try Task.checkCancellation()
            return
        }
        try await sleeper(duration)
    }
}
