import KubernetesClient
import Synchronization
import Testing

/// Virtual time for the node agent's tests: a `ClientClock` whose sleepers only wake when the test moves
/// time, plus a way to wait until the code under test has gone back to sleep ("settled").
///
/// Settling is judged by sleeper identities: every sleep gets an increasing id, so after a disturbance
/// (time moved, a command, a frame) a test waits for sleeps that began *after* it (`mark`), which a
/// sleeper left over from before cannot fake. Waits fail rather than hang when the task is cancelled
/// (a `.timeLimit` ran out), naming what was awaited.
final class VirtualTime: Sendable {
    struct Sleeper: Sendable, Hashable {
        var id: UInt64
        var deadline: Duration
    }

    struct Snapshot: Sendable {
        var now: Duration
        /// Pending sleeps, oldest first.
        var sleepers: [Sleeper]
        /// The id of the latest sleep begun so far; pass it to a settle condition as the mark.
        var lastSleeperID: UInt64
        /// Counters the test bumps with `note(_:)`, e.g. "a run() returned".
        var notes: [String: Int]

        var earliestDeadline: Duration? { sleepers.map(\.deadline).min() }

        /// Exactly `count` sleepers, all begun after `mark`.
        func asleep(_ count: Int = 1, since mark: UInt64) -> Bool {
            sleepers.count == count && sleepers.allSatisfy { $0.id > mark }
        }
    }

    private struct PendingSleep {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Waiter {
        var id: UInt64
        var condition: @Sendable (Snapshot) -> Bool
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var nextID: UInt64 = 0
        var lastSleeperID: UInt64 = 0
        var sleepers: [UInt64: PendingSleep] = [:]
        var cancelledBeforeSleeping: Set<UInt64> = []
        var waiters: [Waiter] = []
        var notes: [String: Int] = [:]

        var snapshot: Snapshot {
            Snapshot(
                now: now,
                sleepers: sleepers.map { Sleeper(id: $0.key, deadline: $0.value.deadline) }.sorted { $0.id < $1.id },
                lastSleeperID: lastSleeperID, notes: notes)
        }

        mutating func identifier() -> UInt64 {
            nextID += 1
            return nextID
        }

        mutating func satisfiedWaiters() -> [CheckedContinuation<Void, any Error>] {
            let snapshot = self.snapshot
            var satisfied: [CheckedContinuation<Void, any Error>] = []
            waiters.removeAll { waiter in
                guard waiter.condition(snapshot) else { return false }
                satisfied.append(waiter.continuation)
                return true
            }
            return satisfied
        }
    }

    private let state = Mutex(State())
    private let clockStorage = Mutex<ClientClock?>(nil)

    init() {
        let clock = ClientClock(VirtualTimeClock(time: self))
        clockStorage.withLock { $0 = clock }
    }

    /// The one clock of this time, made at virtual time zero so that its `now` is the virtual time (a
    /// `ClientClock` counts from when it was made).
    var clock: ClientClock {
        clockStorage.withLock { $0 } ?? ClientClock(VirtualTimeClock(time: self))
    }

    var snapshot: Snapshot { state.withLock { $0.snapshot } }
    var now: Duration { state.withLock { $0.now } }

    private func update<T>(_ change: (inout State) -> T) -> T {
        let (result, satisfied) = state.withLock { state in
            let result = change(&state)
            return (result, state.satisfiedWaiters())
        }
        for continuation in satisfied { continuation.resume() }
        return result
    }

    func note(_ key: String) {
        update { $0.notes[key, default: 0] += 1 }
    }

    /// Moves time to `instant` (never backwards) and wakes every sleeper due by then.
    func advance(to instant: Duration) {
        let due = update { state -> [CheckedContinuation<Void, any Error>] in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
                .sorted { $0.value.deadline < $1.value.deadline }
            for (id, _) in due { state.sleepers[id] = nil }
            return due.map(\.value.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Returns once `condition` holds; throws `VirtualTimeWaitFailed` when the task is cancelled first.
    func wait(
        for awaited: String, until condition: @escaping @Sendable (Snapshot) -> Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let id = state.withLock { $0.identifier() }
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let outcome = state.withLock { state -> Result<Void, any Error>? in
                        if condition(state.snapshot) { return .success(()) }
                        if Task.isCancelled {
                            return .failure(VirtualTimeWaitFailed(awaited: awaited, snapshot: state.snapshot))
                        }
                        state.waiters.append(Waiter(id: id, condition: condition, continuation: continuation))
                        return nil
                    }
                    if let outcome { continuation.resume(with: outcome) }
                }
            } onCancel: {
                let cancelled = state.withLock { state -> (CheckedContinuation<Void, any Error>, Snapshot)? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return (state.waiters.remove(at: index).continuation, state.snapshot)
                }
                if let (continuation, snapshot) = cancelled {
                    continuation.resume(throwing: VirtualTimeWaitFailed(awaited: awaited, snapshot: snapshot))
                }
            }
        } catch let failure as VirtualTimeWaitFailed {
            // Swift Testing does not show what a test throws after its time limit cancelled it.
            Issue.record(Comment(rawValue: failure.description), sourceLocation: sourceLocation)
            throw failure
        }
    }

    fileprivate func sleep(until deadline: Duration) async throws {
        let id = update { state -> UInt64 in
            let id = state.identifier()
            state.lastSleeperID = id
            return id
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = update { state -> Result<Void, any Error>? in
                    if state.cancelledBeforeSleeping.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers[id] = PendingSleep(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let continuation = update { state -> CheckedContinuation<Void, any Error>? in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelledBeforeSleeping.insert(id)
                    return nil
                }
                return sleeper.continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }
}

struct VirtualTimeWaitFailed: Error, CustomStringConvertible {
    let awaited: String
    let snapshot: VirtualTime.Snapshot

    var description: String {
        let sleepers = snapshot.sleepers.map { "#\($0.id) until \($0.deadline)" }.joined(separator: ", ")
        return "gave up waiting for \(awaited) (cancelled; did the time limit run out?) at \(snapshot.now); "
            + "sleepers: [\(sleepers)], notes: \(snapshot.notes)"
    }
}

/// `VirtualTime` as a `Clock`, for `ClientClock`.
private struct VirtualTimeClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    let time: VirtualTime

    var now: Instant { Instant(offset: time.now) }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await time.sleep(until: deadline.offset)
    }
}
