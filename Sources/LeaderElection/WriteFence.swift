import KubernetesClient
import Synchronization

/// The write fence: "may a write that starts now still begin before my renew deadline?"
///
/// Writers check it synchronously before every API write, so it cannot wait for the elector's actor: a
/// leader whose renewals hang must stop writing at the deadline even if nothing gets scheduled. Being
/// judged against the clock at each check, the fence closes by itself at the deadline; the elector only
/// moves the deadline (after a renewal) or closes it early (on losing or releasing the Lease).
public final class WriteFence: Sendable {
    private let clock: ClientClock
    /// Time on `clock` until which writes may start; `nil` while not leading.
    private let deadline = Mutex<Duration?>(nil)

    public init(clock: ClientClock) {
        self.clock = clock
    }

    /// True only while leading and before the renew deadline.
    public func permitsWrites() -> Bool {
        remaining() != nil
    }

    /// Time left until the deadline; `nil` when not leading (including once the deadline has passed).
    public func remaining() -> Duration? {
        guard let deadline = deadline.withLock({ $0 }) else { return nil }
        let left = deadline - clock.now
        return left > .zero ? left : nil
    }

    /// Allows writes until `deadline` (a time on the fence's clock).
    func open(until deadline: Duration) {
        self.deadline.withLock { $0 = deadline }
    }

    func close() {
        deadline.withLock { $0 = nil }
    }
}
