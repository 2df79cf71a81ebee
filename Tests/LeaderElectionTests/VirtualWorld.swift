import Synchronization

@testable import LeaderElection

/// Virtual time plus what every elector, its change stream and the store are doing, so that a test can wait
/// until everything is idle ("settled") before it moves time: each elector asleep in its loop, or stuck in
/// a request the test made hang, and every reported change received. Nothing depends on real time passing.
final class VirtualWorld: Sendable {
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
    }

    fileprivate struct Sleeper {
        var id: UInt64
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    fileprivate struct Waiter {
        var condition: @Sendable (State) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    struct State: Sendable {
        var now: Duration = .zero
        var electors: [String: Elector] = [:]
        var hangingRequests = 0
        fileprivate var nextID: UInt64 = 0
        fileprivate var sleepers: [Sleeper] = []
        fileprivate var cancelledBeforeSleeping: Set<UInt64> = []
        fileprivate var waiters: [Waiter] = []

        var sleeperCount: Int { sleepers.count }
        var earliestDeadline: Duration? { sleepers.map(\.deadline).min() }

        /// Every running elector idle and every change it reported delivered.
        var isSettled: Bool {
            let running = electors.values.filter { $0.phase != .idle && $0.phase != .stopped }
            guard running.allSatisfy({ $0.phase == .resting || $0.phase == .attempting }) else { return false }
            let attempting = running.filter { $0.phase == .attempting }.count
            return attempting == hangingRequests && sleepers.count == running.count
                && electors.values.allSatisfy { $0.reported == $0.received.count }
        }

        fileprivate mutating func readyWaiters() -> [CheckedContinuation<Void, Never>] {
            let holding = waiters.map { $0.condition(self) }
            let ready = zip(waiters, holding).filter(\.1).map(\.0.continuation)
            waiters = zip(waiters, holding).filter { !$0.1 }.map(\.0)
            return ready
        }
    }

    private let state = Mutex(State())

    var snapshot: State { state.withLock { $0 } }
    var now: Duration { state.withLock { $0.now } }

    /// Changes `state` and wakes the waiters whose condition now holds.
    func update<T>(_ change: (inout State) -> T) -> T {
        let (result, ready) = state.withLock { state in
            let result = change(&state)
            return (result, state.readyWaiters())
        }
        ready.forEach { $0.resume() }
        return result
    }

    func wait(until condition: @escaping @Sendable (State) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let holds = state.withLock { state -> Bool in
                if condition(state) { return true }
                state.waiters.append(Waiter(condition: condition, continuation: continuation))
                return false
            }
            if holds { continuation.resume() }
        }
    }

    func settle() async {
        await wait(until: { $0.isSettled })
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
        let id = update { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume = update { state -> Result<Void, any Error>? in
                    if state.cancelledBeforeSleeping.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
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
