import IPAM
import KubernetesClient
import KubernetesModels
import LeaderElection
import Logging

/// Writes `status.loadBalancer.ingress` and the annotations (`kube-vip.io/vipHost`, DHCP's `kube-vip.io/hwaddr` and
/// `kube-vip.io/requestedIP`) for the Services this node serves.
///
/// A write never holds up announcing: the loop hands it over and goes on. Writes are coalesced per
/// Service (the newest wins), a few run at once, each only while this node's Lease for the Service is
/// still held (its fence), and a failed one is retried with a growing pause until it succeeds, is
/// superseded, or the Service is gone; unlike upstream, a slow API server stalls nothing else.
actor StatusWriter {
    struct Write: Sendable {
        var key: ServiceKey
        /// Nil leaves the status as it is.
        var ingress: [LoadBalancerIngress]?
        /// Only these annotations are set; empty leaves them all as they are.
        var annotations: [String: String]
        var fence: WriteFence?
    }

    private let client: KubernetesClient
    private let clock: ClientClock
    private let logger: Logger
    private let concurrency: Int
    private var queued: [ServiceKey: Write] = [:]
    private var order: [ServiceKey] = []
    private var inFlight: Set<ServiceKey> = []
    private var failures: [ServiceKey: Int] = [:]
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(client: KubernetesClient, clock: ClientClock, logger: Logger, concurrency: Int = 4) {
        self.client = client
        self.clock = clock
        self.logger = logger
        self.concurrency = concurrency
    }

    func submit(_ write: Write) {
        if queued.updateValue(write, forKey: write.key) == nil { order.append(write.key) }
        wakeOne()
    }

    /// Runs the workers until the task is cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<concurrency {
                group.addTask { await self.work() }
            }
        }
    }

    private func work() async {
        while !Task.isCancelled {
            guard let write = next() else {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        if Task.isCancelled { continuation.resume() } else { waiting.append(continuation) }
                    }
                } onCancel: {
                    Task { await self.wakeAll() }
                }
                continue
            }
            let succeeded = await apply(write)
            inFlight.remove(write.key)
            if succeeded {
                failures[write.key] = nil
            } else if queued[write.key] == nil, !Task.isCancelled {
                // Retry the same write after a pause unless a newer one arrived meanwhile.
                let count = (failures[write.key] ?? 0) + 1
                failures[write.key] = count
                let pause = Duration.milliseconds(min(30_000, 500 << min(count, 6)))
                try? await clock.sleep(for: pause)
                if queued[write.key] == nil, !Task.isCancelled { submit(write) }
            }
            if queued[write.key] != nil { wakeOne() }
        }
    }

    private func next() -> Write? {
        while let index = order.firstIndex(where: { !inFlight.contains($0) }) {
            let key = order.remove(at: index)
            guard let write = queued.removeValue(forKey: key) else { continue }
            inFlight.insert(key)
            return write
        }
        return nil
    }

    /// True when done (written, or nothing left to write); false to retry.
    private func apply(_ write: Write) async -> Bool {
        guard write.fence?.permitsWrites() ?? true else {
            logger.debug("status write dropped: the Lease is no longer held", metadata: ["service": "\(write.key)"])
            return true
        }
        do {
            if let ingress = write.ingress {
                try await client.patchServiceStatus(
                    namespace: write.key.namespace, name: write.key.name,
                    loadBalancer: LoadBalancerStatus(ingress: ingress), fieldManager: AgentSettings.fieldManager)
            }
            if !write.annotations.isEmpty {
                guard write.fence?.permitsWrites() ?? true else { return true }
                try await client.patchServiceMetadata(
                    namespace: write.key.namespace, name: write.key.name,
                    annotations: write.annotations.mapValues { Optional($0) }, fieldManager: AgentSettings.fieldManager)
            }
            logger.debug("status written", metadata: ["service": "\(write.key)"])
            return true
        } catch KubernetesClientError.notFound {
            return true
        } catch {
            logger.warning("cannot write the Service's status; retrying", metadata: ["service": "\(write.key)", "error": "\(error)"])
            return false
        }
    }

    private func wakeOne() {
        guard !waiting.isEmpty else { return }
        waiting.removeFirst().resume()
    }

    private func wakeAll() {
        let all = waiting
        waiting = []
        for continuation in all { continuation.resume() }
    }
}
