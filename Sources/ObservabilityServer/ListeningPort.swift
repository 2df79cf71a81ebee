import Synchronization

/// The port the server is bound to, for callers that asked for port 0 and must wait for the bind.
///
/// A lock rather than an actor so that a cancelled waiter is released synchronously in its cancellation
/// handler, without spawning a task.
final class ListeningPort: Sendable {
    private enum Phase {
        case waiting
        case bound(Int)
        case stopped
    }

    private struct State {
        var phase = Phase.waiting
        var waiters: [Int: CheckedContinuation<Int?, Never>] = [:]
        var cancelled: Set<Int> = []
        var nextID = 0
    }

    private let state = Mutex(State())

    /// Wakes every waiter with the port; later calls (and a later `stopped()`) change nothing.
    func bound(_ port: Int) {
        settle(.bound(port))
    }

    /// The server stopped without ever listening (a port in use, a bad host); waiters get nil.
    func stopped() {
        settle(.stopped)
    }

    /// The port once bound; nil if the server stopped before binding or the calling task is cancelled.
    func wait() async -> Int? {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int?, Never>) in
                let answer = state.withLock { state -> Int?? in
                    switch state.phase {
                    case .bound(let port): return .some(port)
                    case .stopped: return .some(nil)
                    case .waiting:
                        if state.cancelled.remove(id) != nil { return .some(nil) }
                        state.waiters[id] = continuation
                        return nil
                    }
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Int?, Never>? in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    // Not registered yet: tell the registration to answer at once. Already answered: nothing to do.
                    if case .waiting = state.phase { state.cancelled.insert(id) }
                    return nil
                }
                return waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    private func settle(_ phase: Phase) {
        let (waiters, port) = state.withLock { state -> ([CheckedContinuation<Int?, Never>], Int?) in
            guard case .waiting = state.phase else { return ([], nil) }
            state.phase = phase
            defer { state.waiters = [:] }
            if case .bound(let port) = phase { return (Array(state.waiters.values), port) }
            return (Array(state.waiters.values), nil)
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }
}
