/// A token bucket as a pure value: `reserve(at:)` takes a token and says how long the caller must wait for
/// it. Reservations may drive the balance negative so that waiters queue in arrival order instead of all
/// waking at once and racing (the same scheme as Go's `x/time/rate`).
public struct TokenBucket: Sendable {
    public let rate: Double
    public let burst: Int
    private var tokens: Double
    private var updatedAt: Duration

    /// Starts full, so the first `burst` requests go out at once.
    public init(rate: Double, burst: Int, now: Duration) {
        self.rate = rate
        self.burst = max(1, burst)
        self.tokens = Double(max(1, burst))
        self.updatedAt = now
    }

    /// Takes one token and returns the wait until it is really available (zero when one was in the bucket).
    public mutating func reserve(at now: Duration) -> Duration {
        guard rate > 0 else { return .zero }
        refill(at: now)
        tokens -= 1
        if tokens >= 0 { return .zero }
        return Duration.seconds(-tokens / rate)
    }

    /// Gives back a reservation that was not used (the waiter was cancelled).
    public mutating func cancelReservation(at now: Duration) {
        guard rate > 0 else { return }
        refill(at: now)
        tokens = min(Double(burst), tokens + 1)
    }

    /// Takes a token only if one is available now; for callers that would rather drop than wait.
    public mutating func tryTake(at now: Duration) -> Bool {
        guard rate > 0 else { return true }
        refill(at: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    private mutating func refill(at now: Duration) {
        let elapsed = now - updatedAt
        if elapsed > .zero {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(Double(burst), tokens + seconds * rate)
            updatedAt = now
        }
    }
}
