import Synchronization

/// Wakes a loop that is waiting for its next tick as soon as something arrives, instead of at the tick (an
/// advertiser's commands, a Lease seen released). What arrived is the loop's own state; this only says
/// "look again".
///
/// A ring with nobody waiting is kept, so a command that arrives between the advertiser's last look at its
/// state and the start of its wait is not lost.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Forgets a ring whose command has been seen already.
    public func reset() {
        state.withLock { $0.rung = false }
    }

    /// Returns at a ring (or at once for a kept one) or when the task is cancelled. One waiter at a time.
    public func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    // Checked under the lock: a cancellation either sees the waiter below or is seen here.
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}

extension Doorbell {
    /// Returns at a ring, after `duration` on `clock`, or when the task is cancelled, whichever comes first: the
    /// wait of every loop that sleeps until its next tick unless told to look again.
    public func wait(atMost duration: Duration, on clock: ClientClock) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await clock.sleep(for: duration) }
            await group.next()
            group.cancelAll()
        }
    }
}
