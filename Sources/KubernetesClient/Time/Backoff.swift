/// Jittered exponential backoff as a plain value: the caller asks for the next delay and reports health.
///
/// Jitter spreads the reconnects of many clients after an API server restart so they do not arrive in
/// lock step. The defaults are client-go's reflector numbers: 800 ms doubling to 30 s, with up to 100 %
/// extra jitter, reset once a connection has stayed healthy for 2 minutes.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    public var factor: Double
    /// 1.0 adds between 0 and 100 % of the delay.
    public var jitter: Double
    /// How long a connection must stay healthy before the delay starts again from `initial`.
    public var resetAfter: Duration

    private var current: Duration?
    private let random: @Sendable () -> Double

    public init(
        initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), factor: Double = 2,
        jitter: Double = 1.0, resetAfter: Duration = .seconds(120),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self.resetAfter = resetAfter
        self.random = random
    }

    /// The delay before the next attempt; each call grows the base delay up to `maximum`.
    public mutating func nextDelay() -> Duration {
        let base = current.map { min($0 * factor, maximum) } ?? initial
        current = base
        let jittered = base + base * (jitter * random())
        return min(jittered, maximum)
    }

    /// Forget past failures: the next delay is `initial` again.
    public mutating func reset() { current = nil }

    /// Resets when a connection that started at `start` has lasted `resetAfter` by `now`.
    public mutating func noteHealthy(since start: Duration, now: Duration) {
        if now - start >= resetAfter { reset() }
    }
}
