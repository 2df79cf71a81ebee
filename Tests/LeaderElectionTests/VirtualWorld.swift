import Synchronization
import Testing

@testable import LeaderElection

/// Virtual time plus what every elector, its change stream and the store are doing, so that a test can wait
/// until everything is idle ("settled") before it moves time: each elector asleep in its loop, or stuck in
/// a request the test made hang, and every reported change received. Nothing depends on real time passing.
///
/// Every wait ends: when its condition holds; with `WorldWaitFailed` as soon as the condition can never hold
/// any more; or with `WorldWaitFailed` when the waiting task is cancelled, which is what a `.timeLimit`
/// does. A bug in the elector or in this harness thus fails its test, naming what was awaited and the state
/// of the world, instead of hanging the whole test run.
final class VirtualWorld: Sendable {
    /// The elector on whose behalf the current task runs, bound by the harness around `run()` and inherited by
    /// the elector's child tasks, so that each sleep is judged against the elector it belongs to rather than
    /// merely counted (a sleep of `release()`, called by the test itself, belongs to no running elector).
    @TaskLocal static var owner: String?

    enum Phase: Sendable, Hashable {
        /// Created, `run()` not called yet: takes no part in settling.
        case idle
        /// `run()` called, first activity not seen yet.
        case starting
        case resting
        case attempting
        case stopped
    }

    struct Elector: Sendable {
        var phase: Phase = .idle
        var reported = 0
        /// What its `changes` stream delivered, with the virtual time of delivery.
        var received: [(Leadership, Duration)] = []
        /// The stream has finished: whatever was reported and not received by now never will be.
        var streamFinished = false
        /// Its requests that the test made hang and that have not been cancelled yet.
        var hangingRequests = 0
    }

    fileprivate struct Sleeper {
        var id: UInt64
        var owner: String?
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// A wait to resume, and how.
    fileprivate typealias Ending = (CheckedContinuation<Void, any Error>, Result<Void, any Error>)

    fileprivate struct Waiter {
        var id: UInt64
        var awaited: String
        var condition: @Sendable (State) -> Bool
        var impossible: @Sendable (State) -> String?
        var continuation: CheckedContinuation<Void, any Error>
    }

    struct State: Sendable {
        var now: Duration = .zero
        var electors: [String: Elector] = [:]
        fileprivate var nextID: UInt64 = 0
        fileprivate var sleepers: [Sleeper] = []
        fileprivate var cancelledBeforeSleeping: Set<UInt64> = []
        fileprivate var waiters: [Waiter] = []

        var earliestDeadline: Duration? { sleepers.map(\.deadline).min() }

        /// Every running elector idle and every change it reported delivered.
        var isSettled: Bool {
            electors.allSatisfy { identity, elector in
                guard elector.reported == elector.received.count else { return false }
                let sleeping = sleepers.count(where: { $0.owner == identity })
                switch elector.phase {
                case .idle, .stopped: return true
                case .starting: return false
                // Asleep in its loop until its next round or its fence deadline.
                case .resting: return sleeping == 1 && elector.hangingRequests == 0
                // Stuck in a request the test made hang, the round's deadline pending.
                case .attempting: return sleeping == 1 && elector.hangingRequests > 0
                }
            }
        }

        /// Why the world can never settle any more, if so: a change was reported on a stream that has
        /// finished without delivering it.
        var unsettleable: String? {
            for (identity, elector) in electors.sorted(by: { $0.key < $1.key })
            where elector.streamFinished && elector.reported != elector.received.count {
                return "\(identity) reported \(elector.reported) change(s) but its changes stream finished after "
                    + "delivering \(elector.received.count), so the rest can never be received"
            }
            return nil
        }

        /// What every elector, sleeper and waiter is doing, for failure messages.
        var summary: String {
            var parts = ["t=\(LeaderElectionConfiguration.seconds(now))"]
            for (identity, elector) in electors.sorted(by: { $0.key < $1.key }) {
                var part = "\(identity): \(elector.phase)"
                let wakes = sleepers.filter { $0.owner == identity }.map(\.deadline)
                if !wakes.isEmpty { part += ", asleep until \(Self.times(wakes))" }
                if elector.hangingRequests > 0 { part += ", \(elector.hangingRequests) request(s) hanging" }
                let received = elector.received.map { Self.describe($0.0) }.joined(separator: ", ")
                part += ", reported \(elector.reported), received \(elector.received.count) [\(received)]"
                if elector.streamFinished { part += ", stream finished" }
                parts.append(part)
            }
            let unowned = sleepers.filter { sleeper in sleeper.owner.map { electors[$0] == nil } ?? true }
            if !unowned.isEmpty { parts.append("other sleepers until \(Self.times(unowned.map(\.deadline)))") }
            if !waiters.isEmpty { parts.append("waits: \(waiters.map(\.awaited).joined(separator: "; "))") }
            return parts.joined(separator: "; ")
        }

        private static func describe(_ leadership: Leadership) -> String {
            switch leadership {
            case .leading: "leading"
            case .following(let holder): "following \(holder ?? "nobody")"
            }
        }

        private static func times(_ instants: [Duration]) -> String {
            instants.sorted().map { LeaderElectionConfiguration.seconds($0) }.joined(separator: ", ")
        }

        fileprivate mutating func nextIdentifier() -> UInt64 {
            nextID += 1
            return nextID
        }

        /// Takes out the waiters whose condition now holds or can no longer hold, with how each one ends.
        fileprivate mutating func finishedWaiters() -> [Ending] {
            var finished: [Ending] = []
            var pending: [Waiter] = []
            for waiter in waiters {
                if waiter.condition(self) {
                    finished.append((waiter.continuation, .success(())))
                } else if let reason = waiter.impossible(self) {
                    let failure = WorldWaitFailed(awaited: waiter.awaited, reason: .impossible(reason), world: summary)
                    finished.append((waiter.continuation, .failure(failure)))
                } else {
                    pending.append(waiter)
                }
            }
            waiters = pending
            return finished
        }
    }

    private let state = Mutex(State())

    var snapshot: State { state.withLock { $0 } }
    var now: Duration { state.withLock { $0.now } }

    /// Changes `state` and ends the waits whose condition now holds (or never can).
    func update<T>(_ change: (inout State) -> T) -> T {
        let (result, finished) = state.withLock { state in
            let result = change(&state)
            return (result, state.finishedWaiters())
        }
        for (continuation, outcome) in finished { continuation.resume(with: outcome) }
        return result
    }

    /// Returns once `condition` holds. Throws `WorldWaitFailed` as soon as `impossible` names a reason why it
    /// never can, or when the task is cancelled (a time limit ran out), so that no wait outlives its test.
    ///
    /// A cancelled wait also records an issue itself: Swift Testing does not report what a test throws after
    /// its time limit cancelled it, and "time limit exceeded" alone does not say what never happened.
    func wait(
        for awaited: String, until condition: @escaping @Sendable (State) -> Bool,
        failingWhen impossible: @escaping @Sendable (State) -> String? = { _ in nil },
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        do {
            try await waitOrFail(for: awaited, until: condition, failingWhen: impossible)
        } catch let failure as WorldWaitFailed where failure.reason == .cancelled {
            Issue.record(Comment(rawValue: failure.description), sourceLocation: sourceLocation)
            throw failure
        }
    }

    private func waitOrFail(
        for awaited: String, until condition: @escaping @Sendable (State) -> Bool,
        failingWhen impossible: @escaping @Sendable (State) -> String?
    ) async throws {
        let id = state.withLock { $0.nextIdentifier() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if condition(state) { return .success(()) }
                    if let reason = impossible(state) {
                        return .failure(
                            WorldWaitFailed(awaited: awaited, reason: .impossible(reason), world: state.summary))
                    }
                    // Checked under the lock after the cancellation flag is set but possibly before the
                    // handler below ran, so that a cancellation either finds the waiter or is seen here.
                    if Task.isCancelled {
                        return .failure(WorldWaitFailed(awaited: awaited, reason: .cancelled, world: state.summary))
                    }
                    state.waiters.append(
                        Waiter(
                            id: id, awaited: awaited, condition: condition, impossible: impossible,
                            continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> (CheckedContinuation<Void, any Error>, String)? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                let waiter = state.waiters.remove(at: index)
                return (waiter.continuation, state.summary)
            }
            if let (continuation, world) = cancelled {
                continuation.resume(throwing: WorldWaitFailed(awaited: awaited, reason: .cancelled, world: world))
            }
        }
    }

    /// Waits until every running elector is idle and every reported change has been received.
    func settle(_ occasion: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await wait(
            for: "the electors to settle \(occasion)", until: { $0.isSettled }, failingWhen: { $0.unsettleable },
            sourceLocation: sourceLocation)
    }

    // MARK: Reports from electors, streams and the store

    func record(_ activity: ElectorActivity, of identity: String) {
        update { state in
            switch activity {
            case .resting: state.electors[identity, default: Elector()].phase = .resting
            case .attempting: state.electors[identity, default: Elector()].phase = .attempting
            case .stopped: state.electors[identity, default: Elector()].phase = .stopped
            case .reported: state.electors[identity, default: Elector()].reported += 1
            }
        }
    }

    func received(_ leadership: Leadership, by identity: String) {
        update { state in state.electors[identity, default: Elector()].received.append((leadership, state.now)) }
    }

    func streamFinished(of identity: String) {
        update { state in state.electors[identity, default: Elector()].streamFinished = true }
    }

    /// A request of `identity`'s starts (`change` +1) or stops (-1) hanging.
    func hangingRequests(of identity: String, change: Int) {
        update { state in state.electors[identity, default: Elector()].hangingRequests += change }
    }

    func starting(_ identity: String) {
        update { state in state.electors[identity, default: Elector()].phase = .starting }
    }

    func register(_ identity: String) {
        update { state in state.electors[identity] = Elector() }
    }

    // MARK: Time

    /// Moves time to `instant` and wakes the sleepers due by then.
    func advance(to instant: Duration) {
        let due = update { state -> [CheckedContinuation<Void, any Error>] in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due.map(\.continuation)
        }
        due.forEach { $0.resume() }
    }

    func sleep(until deadline: Duration) async throws {
        let owner = Self.owner
        let id = update { $0.nextIdentifier() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume = update { state -> Result<Void, any Error>? in
                    if state.cancelledBeforeSleeping.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, owner: owner, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            let continuation = update { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelledBeforeSleeping.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index).continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }
}

/// A wait on the virtual world that ended without its condition holding.
struct WorldWaitFailed: Error, CustomStringConvertible {
    enum Reason: Equatable, CustomStringConvertible {
        /// The waiting task was cancelled, by a time limit or by the test ending otherwise.
        case cancelled
        /// The condition can never hold any more, for the reason given.
        case impossible(String)

        var description: String {
            switch self {
            case .cancelled: "the test was cancelled first (did its time limit run out?)"
            case .impossible(let reason): reason
            }
        }
    }

    let awaited: String
    let reason: Reason
    /// `VirtualWorld.State.summary` when the wait ended.
    let world: String

    var description: String { "gave up waiting for \(awaited): \(reason). World: \(world)" }
}

/// The world's time as a `Clock`, to be wrapped in a `ClientClock`.
struct VirtualClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    let world: VirtualWorld

    var now: Instant { Instant(offset: world.now) }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await world.sleep(until: deadline.offset)
    }
}
