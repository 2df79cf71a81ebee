/// Client-side request rate limit shared by every request of one `KubernetesClient`.
///
/// An actor so that concurrent callers reserve tokens one at a time; the wait itself happens after the
/// reservation, outside the actor's state, so a waiting caller never blocks others from reserving.
public actor RateLimiter {
    private var bucket: TokenBucket
    private let clock: ClientClock

    public init(_ limit: RateLimit, clock: ClientClock = .continuous) {
        self.clock = clock
        self.bucket = TokenBucket(rate: limit.queriesPerSecond, burst: limit.burst, now: clock.now)
    }

    /// Waits until the request may go out. Throws `CancellationError` if the task is cancelled meanwhile.
    public func acquire() async throws {
        let wait = bucket.reserve(at: clock.now)
        guard wait > .zero else { return }
        do {
            try await clock.sleep(for: wait)
        } catch {
            bucket.cancelReservation(at: clock.now)
            throw error
        }
    }
}
