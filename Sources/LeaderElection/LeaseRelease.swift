import Foundation
import KubernetesModels

/// Giving the Lease up, with its I/O: write the released Lease over the version this replica holds.
///
/// The version the elector last saw is not always the one on the server: stopping `run()` cancels a renewal
/// in flight, and the API server may have applied it although its answer never arrived. The write then
/// conflicts, so the Lease is read again and released if it still names this replica; a peer's take-over
/// (another holder) is left alone.
struct LeaseRelease: Sendable {
    enum Outcome: Sendable {
        case released(Lease)
        /// The Lease names someone else (or nobody, or is gone): nothing of ours to give up.
        case notHeld(holder: String?)
        case failed(any Error)
    }

    let store: any LeaseStore
    let configuration: LeaderElectionConfiguration
    let wallClock: @Sendable () -> Date

    /// Only a write of ours can make the first try conflict while the Lease still names us, and at most one
    /// such write was in flight; the third try is a margin, not a loop that could spin.
    private static let tries = 3

    /// - Parameter known: the Lease as this replica last saw it holding it, or `nil` to read it first.
    func run(known: Lease?) async -> Outcome {
        var candidate = known
        for _ in 0..<Self.tries {
            do {
                let held: Lease
                if let candidate {
                    held = candidate
                } else {
                    let current = try await store.lease(
                        namespace: configuration.namespace, name: configuration.leaseName)
                    guard let current, current.spec?.holderIdentity == configuration.identity else {
                        let holder = current?.spec?.holderIdentity
                        return .notHeld(holder: holder?.isEmpty == false ? holder : nil)
                    }
                    held = current
                }
                let released = LeaseClaim.release(held, wallTime: MicroTime(wallClock()))
                return .released(try await store.update(released, namespace: configuration.namespace))
            } catch LeaseStoreError.conflict {
                candidate = nil
            } catch {
                return .failed(error)
            }
        }
        return .failed(LeaseStoreError.conflict)
    }
}
