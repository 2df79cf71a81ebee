/// Tuning for an informer; the defaults are client-go's reflector settings.
public struct InformerOptions: Sendable {
    /// Items per list page.
    public var pageSize: Int
    /// Delay between failed attempts (800 ms → 30 s, reset after 2 min of health).
    public var backoff: Backoff
    /// Each watch asks the server to end it after a random number of seconds in this range, so that many
    /// clients spread their reconnects.
    public var watchTimeoutSeconds: ClosedRange<Int>

    public init(pageSize: Int = 500, backoff: Backoff = Backoff(), watchTimeoutSeconds: ClosedRange<Int> = 300...600) {
        self.pageSize = pageSize
        self.backoff = backoff
        self.watchTimeoutSeconds = watchTimeoutSeconds
    }
}
