import Synchronization

/// The port the server is bound to, for callers that asked for port 0 and must wait for the bind.
///
/// A lock rather than an actor so that a cancelled waiter is released synchronously in its cancellation
/// handler, without spawning a task.
final class ListeningAddress: Sendable {
    private struct State {
        var port: Int?
        var failure: (any Error)?
        var waiters: [Int: CheckedContinuation<Int, any Error>] = [:]
        var cancelled: Set<Int> = []
        var nextID = 0
    }

    private let state = Mutex(State())

    func bound(port: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard state.port == nil, state.failure == nil else { return [] }
            state.port = port
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// The server stopped (or never started); waiters get this error instead of a port.
    func failed(_ error: any Error) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard state.port == nil, state.failure == nil else { return [] }
            state.failure = error
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    func port() async throws -> Int {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let outcome = state.withLock { state -> Result<Int, any Error>? in
                    if let port = state.port { return .success(port) }
                    if let failure = state.failure { return .failure(failure) }
                    if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Int, any Error>? in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

/// Why `listeningPort()` could not answer: the server stopped before it was bound.
public struct APIServerNotRunning: Error, Sendable, CustomStringConvertible {
    public var description: String
}
