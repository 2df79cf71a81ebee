import Foundation
import KubernetesClient
import KubernetesModels

/// One round of `tryAcquireOrRenew` with its I/O: read the Lease, decide, write.
///
/// A value with no access to the elector's state, so that the round can run in a child task that the
/// elector abandons at its deadline, and whatever it learnt comes back as one `Outcome` to apply at once.
struct LeaseAttempt: Sendable {
    struct Outcome: Sendable {
        enum Result: Sendable, Equatable {
            /// Our create or update succeeded; it started at `writeStartedAt` on the elector's clock.
            case acquired(writeStartedAt: Duration)
            case follow(holder: String)
            /// Another writer got there first.
            case conflict
            case failed(String)

            var isFailure: Bool {
                if case .failed = self { return true }
                return false
            }
        }

        /// What we now know of the Lease: the previous observation brought up to date by this round's read or
        /// write (unchanged if the read failed, `nil` if the Lease does not exist).
        var observation: LeaseObservation?
        var result: Result
    }

    let store: any LeaseStore
    let configuration: LeaderElectionConfiguration
    let clock: ClientClock
    let wallClock: @Sendable () -> Date

    func run(previous: LeaseObservation?) async -> Outcome {
        var observation = previous
        do {
            let current = try await store.lease(namespace: configuration.namespace, name: configuration.leaseName)
            let readAt = clock.now
            observation = LeaseObservation.after(
                reading: current, previous: previous, at: readAt, configuration: configuration)
            let claim = LeaseClaim.decide(
                observation: observation, configuration: configuration, now: readAt,
                wallTime: MicroTime(wallClock()))
            let started = clock.now
            let written: Lease
            switch claim {
            case .follow(let holder):
                return Outcome(observation: observation, result: .follow(holder: holder))
            case .create(let lease):
                written = try await store.create(lease, namespace: configuration.namespace)
            case .update(let lease):
                written = try await store.update(lease, namespace: configuration.namespace)
            }
            return Outcome(
                observation: LeaseObservation(lease: written, observedAt: clock.now),
                result: .acquired(writeStartedAt: started))
        } catch LeaseStoreError.conflict {
            return Outcome(observation: observation, result: .conflict)
        } catch {
            return Outcome(observation: observation, result: .failed(String(describing: error)))
        }
    }
}

/// Runs `operation` but stops waiting for it at `deadline` (a time on `clock`), cancelling it; `nil` then.
///
/// The elector must act at its deadline even if the API server never answers, so a request may not hold
/// up the loop. `operation` must honour cancellation for this to return promptly (HTTP requests do).
func withDeadline<T: Sendable>(
    _ deadline: Duration, on clock: ClientClock, _ operation: @escaping @Sendable () async -> T
) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await clock.sleep(for: deadline - clock.now)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
