import Foundation
import KubernetesClient
import KubernetesModels
import Logging

/// A coordination.k8s.io/v1 Lease election with client-go's semantics, plus a write fence.
///
/// `run()` campaigns and renews until cancelled. The owner starts its leader-only work on `.leading`, stops
/// it on `.following`, and has its writers consult `fence` before every write, because the stream is
/// consumed asynchronously while the fence closes exactly at the renew deadline. A lost Lease is not fatal:
/// the elector keeps campaigning and reports `.leading` again if it wins.
public actor LeaderElector {
    private let configuration: LeaderElectionConfiguration
    private let store: any LeaseStore
    private let clock: ClientClock
    private let wallClock: @Sendable () -> Date
    private let logger: Logger
    private let activity: @Sendable (ElectorActivity) -> Void
    /// Uniform in 0..<1, for the followers' jitter.
    private let random: @Sendable () -> Double

    /// Rung by `nudge()`: a follower then tries at once instead of at its next retry.
    private let doorbell = Doorbell()

    /// Open while this replica leads and may still start a write; shared with every writer.
    public nonisolated let fence: WriteFence
    /// Every change of leadership, starting with the first decision. One consumer. Finishes when `run()`
    /// returns. Unbounded on purpose: a consumer must see a loss even if it has already been won back.
    public nonisolated let changes: AsyncStream<Leadership>
    private let continuation: AsyncStream<Leadership>.Continuation

    /// The Lease as last read or written, and when it last changed as seen from here.
    private var observation: LeaseObservation?
    /// While leading: when the fence closes unless a renewal succeeds first.
    private var fenceDeadline: Duration?
    /// The last round ended without an answer to its requests (abandoned at its deadline or by a stop, or
    /// failed): a write of ours may have been applied unseen, so the Lease may name this replica, or be
    /// at a newer version, than `observation` says.
    private var lastRoundUnanswered = false
    private var reported: Leadership?
    private var hasRun = false

    public init(
        configuration: LeaderElectionConfiguration, store: any LeaseStore, clock: ClientClock = .continuous,
        wallClock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "leader-election")
    ) {
        self.init(
            configuration: configuration, store: store, clock: clock, wallClock: wallClock, logger: logger,
            activity: { _ in }, random: { Double.random(in: 0..<1) })
    }

    /// `activity` lets tests advance virtual time only once the loop is idle; `random` makes the jitter
    /// reproducible.
    init(
        configuration: LeaderElectionConfiguration, store: any LeaseStore, clock: ClientClock,
        wallClock: @escaping @Sendable () -> Date, logger: Logger,
        activity: @escaping @Sendable (ElectorActivity) -> Void, random: @escaping @Sendable () -> Double
    ) {
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.wallClock = wallClock
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.namespace)/\(configuration.leaseName)"
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
        self.activity = activity
        self.random = random
        self.fence = WriteFence(clock: clock)
        (changes, continuation) = AsyncStream.makeStream()
    }

    /// Tells a follower that the Lease changed (a watch saw it), so it reads it at once rather than at its next
    /// retry: a released Lease is taken in one request instead of up to a retry period later, and a renewal is
    /// seen when it happens, so the holder's term is measured from it and not from a late poll. A leader
    /// ignores it.
    public nonisolated func nudge() {
        doorbell.ring()
    }

    /// Whether this replica leads and its renew deadline has not passed.
    public var isLeading: Bool { fence.permitsWrites() }

    /// Campaigns and renews until the task is cancelled, then returns. It does not release the Lease (see
    /// `release()`); it leaves the fence as it is, closing by itself at the deadline, so that the owner
    /// can drain its writers first. Store errors are logged and retried, never thrown. Call once.
    public func run() async {
        guard !hasRun else {
            logger.error("LeaderElector.run() called a second time; ignored")
            return
        }
        hasRun = true
        defer {
            continuation.finish()
            activity(.stopped)
        }
        do {
            try configuration.validate()
        } catch {
            logger.error("not campaigning: \(error.message)")
            return
        }
        logger.info("campaigning for the Lease")
        var nextAttempt = clock.now
        while true {
            let wake = fenceDeadline.map { min($0, nextAttempt) } ?? nextAttempt
            activity(.resting)
            let nudged = await sleepUnlessNudged(for: wake - clock.now)
            if Task.isCancelled { break }
            activity(.attempting)
            loseLeadershipIfDeadlinePassed()
            if nudged, fenceDeadline == nil { nextAttempt = clock.now }
            guard clock.now >= nextAttempt else { continue }
            await attempt()
            if Task.isCancelled { break }
            loseLeadershipIfDeadlinePassed()
            nextAttempt = clock.now + pause()
            // A follower also tries the moment the holder's term would end: after a crash, the take-over then
            // comes at lease expiry, not up to a retry period later.
            if fenceDeadline == nil, let observation, observation.holder != nil,
                observation.holder != configuration.identity
            {
                let expiry = observation.expiry(fallback: configuration.leaseDuration)
                if expiry > clock.now, expiry < nextAttempt { nextAttempt = expiry }
            }
        }
        logger.info("stopped campaigning", metadata: ["leading": "\(fence.permitsWrites())"])
    }

    /// Gives the Lease up for an instant hand-over, if this replica holds it: no holder, a one-second
    /// duration, renewTime now, like client-go's `ReleaseOnCancel`. The fence closes first.
    ///
    /// "Holds it" includes a Lease won or renewed by a write whose answer the stop cut off: stopping `run()`
    /// in the middle of a round is the usual case, not a rare one, and leaving such a Lease would make peers
    /// wait a whole `leaseDuration`. A Lease another replica has taken over is never touched.
    ///
    /// Call it after `run()` has returned and the owner has stopped and drained its writers, from a task
    /// that is not cancelled. Gives up after `renewDeadline`; peers then take over after `leaseDuration`.
    public func release() async {
        closeFence()
        let held = observation.flatMap { $0.holder == configuration.identity ? $0.lease : nil }
        guard held != nil || lastRoundUnanswered else { return }
        let round = LeaseRelease(store: store, configuration: configuration, wallClock: wallClock)
        let outcome = await withDeadline(clock.now + configuration.renewDeadline, on: clock) {
            await round.run(known: held)
        }
        switch outcome {
        case .released(let lease)?:
            observation = LeaseObservation(lease: lease, observedAt: clock.now)
            lastRoundUnanswered = false
            logger.info("released the Lease")
        case .notHeld(let holder)?:
            logger.info("not releasing: the Lease is held by \(holder ?? "nobody"), not this replica")
        case .failed(let error)?:
            logger.warning("could not release the Lease; peers take over when it expires: \(error)")
        case nil:
            logger.warning("no answer to releasing the Lease; peers take over when it expires")
        }
        report(.following(holder: nil))
    }

    /// Sleeps for `duration` or until `nudge()`; true when nudged. Returns early on cancellation too. A nudge
    /// that came during an attempt is kept, so the next sleep ends at once: the attempt may have read the
    /// Lease just before it was released.
    private func sleepUnlessNudged(for duration: Duration) async -> Bool {
        let clock = self.clock
        let doorbell = self.doorbell
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await clock.sleep(for: duration)
                return false
            }
            group.addTask {
                await doorbell.wait()
                return !Task.isCancelled
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// One `tryAcquireOrRenew`, bounded by the renew deadline while leading: a leader whose request hangs
    /// must notice the deadline at the deadline. A follower's round is bounded by `renewDeadline` too, since
    /// leadership won by a write that took longer would already be over.
    private func attempt() async {
        let started = clock.now
        let limit = fenceDeadline.map { min($0, started + configuration.renewDeadline) }
            ?? started + configuration.renewDeadline
        let round = LeaseAttempt(store: store, configuration: configuration, clock: clock, wallClock: wallClock)
        let previous = observation
        guard let outcome = await withDeadline(limit, on: clock, { await round.run(previous: previous) }) else {
            lastRoundUnanswered = true
            if !Task.isCancelled {
                logger.warning(
                    "no answer from the API server within \(LeaderElectionConfiguration.seconds(limit - started))")
            }
            reportUnknownIfUndecided()
            return
        }
        observation = outcome.observation
        lastRoundUnanswered = outcome.result.isFailure
        switch outcome.result {
        case .acquired(let writeStartedAt):
            let deadline = writeStartedAt + configuration.renewDeadline
            guard deadline > clock.now else {
                logger.warning("the Lease write succeeded only after renewDeadline; not leading on it")
                reportUnknownIfUndecided()
                return
            }
            fenceDeadline = deadline
            fence.open(until: deadline)
            report(.leading)
        case .follow(let holder):
            if fenceDeadline != nil {
                logger.warning("the Lease was taken over by \(holder) while this replica led; stepping down")
                closeFence()
            }
            report(.following(holder: holder))
        case .conflict:
            logger.debug("another replica wrote the Lease first; reading it again next round")
            reportUnknownIfUndecided()
        case .failed(let reason):
            if !Task.isCancelled {
                logger.warning("cannot acquire or renew the Lease: \(reason)")
            }
            reportUnknownIfUndecided()
        }
    }

    /// No renewal succeeded before the deadline: stop leading (the fence has closed by itself already), but
    /// keep campaigning.
    private func loseLeadershipIfDeadlinePassed() {
        guard let deadline = fenceDeadline, clock.now >= deadline else { return }
        let window = LeaderElectionConfiguration.seconds(configuration.renewDeadline)
        logger.warning("lost the Lease: no renewal succeeded within renewDeadline (\(window))")
        closeFence()
        report(.following(holder: nil))
    }

    private func closeFence() {
        fenceDeadline = nil
        fence.close()
    }

    /// Leaders renew on the beat; followers add jitter so that replicas drift apart.
    private func pause() -> Duration {
        guard fenceDeadline == nil, configuration.retryJitter > 0 else { return configuration.retryPeriod }
        return configuration.retryPeriod * (1 + configuration.retryJitter * random())
    }

    /// The first round gives subscribers an answer even when it failed: "not leading, holder unknown".
    private func reportUnknownIfUndecided() {
        if reported == nil { report(.following(holder: nil)) }
    }

    private func report(_ leadership: Leadership) {
        guard leadership != reported else { return }
        reported = leadership
        switch leadership {
        case .leading:
            logger.info("leading", metadata: ["holder": "\(configuration.identity)"])
        case .following(let holder):
            logger.info("following", metadata: ["holder": "\(holder ?? "")"])
        }
        if case .terminated = continuation.yield(leadership) { return }
        activity(.reported(leadership))
    }
}

/// What the run loop is doing, for tests that drive it in virtual time: they advance the clock only when
/// every elector is `resting` in its sleep (or stuck in a request they made hang), and they know how many
/// changes to expect on the stream.
enum ElectorActivity: Sendable, Hashable {
    case resting
    case attempting
    case reported(Leadership)
    case stopped
}
