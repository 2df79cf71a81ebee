import IPAM
import KubernetesClient
import KubernetesModels
import LeaderElection
import Logging

/// How one write ended, reported back to the allocator.
enum WriteOutcome: Sendable {
    /// The server took it; this is the Service as stored.
    case applied(JSONValue)
    /// The Service changed since the decision (409 on the guarded resourceVersion).
    case conflicted(version: String?)
    /// The Service is gone.
    case gone
    /// Not sent (or abandoned) because this replica's write fence closed: it may no longer be the leader.
    case fenced
    /// Anything else, after the client's own retries.
    case failed(String)
}

/// Applies Service writes with bounded concurrency, one at a time per Service, newest decision first.
///
/// A Service's writes are coalesced: a write queued behind one in flight replaces any older queued one, so
/// a burst of changes to one Service costs at most two requests. Every write runs only while the leader's
/// fence is open, and is abandoned (its request cancelled) the moment the fence closes, so a replica that
/// lost its lease stops writing before the lease can expire for anyone else.
actor ServiceWriter {
    private let client: KubernetesClient
    private let fence: WriteFence?
    private let concurrency: Int
    private let fieldManager: String
    private let report: @Sendable (ServiceKey, ServiceWrite, WriteOutcome) -> Void
    private let clock: ClientClock
    private let logger: Logger

    private var queued: [ServiceKey: ServiceWrite] = [:]
    private var order: [ServiceKey] = []
    private var orderHead = 0
    private var inFlight: Set<ServiceKey> = []
    private var waiting: [CheckedContinuation<ServiceWrite?, Never>] = []
    private var stopped = false
    /// Consecutive failures per Service, for the retry pause; forgotten on success.
    private var failures: [ServiceKey: Int] = [:]

    init(
        client: KubernetesClient, fence: WriteFence?, concurrency: Int, fieldManager: String, clock: ClientClock,
        logger: Logger, report: @escaping @Sendable (ServiceKey, ServiceWrite, WriteOutcome) -> Void
    ) {
        self.client = client
        self.fence = fence
        self.concurrency = max(1, concurrency)
        self.fieldManager = fieldManager
        self.clock = clock
        self.logger = logger
        self.report = report
    }

    /// Queues a write, replacing an older queued write for the same Service.
    func submit(_ write: ServiceWrite) {
        if queued.updateValue(write, forKey: write.key) == nil, !inFlight.contains(write.key) {
            order.append(write.key)
        }
        handOut()
    }

    /// Drops every queued write (leadership lost: the next leader decides afresh).
    func discardQueued() {
        queued = [:]
        order = []
        orderHead = 0
    }

    /// Graceful stop: queued writes are dropped (the next leader decides afresh), writes in flight finish,
    /// then the workers and `run()` return. Handing the Lease over only after this keeps a late write of this
    /// replica from landing after the next leader has read the Services.
    func drain() {
        discardQueued()
        stop()
    }

    /// Runs the workers until the task is cancelled or `drain()` is called.
    func run() async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<concurrency {
                group.addTask { await self.work() }
            }
        }
    }

    private func work() async {
        while let write = await next() {
            let outcome = await perform(write)
            finished(write.key, outcome)
            report(write.key, write, outcome)
            if case .failed = outcome {
                await retryLater(write)
            }
        }
    }

    /// After a failure the client's own retries could not fix (API server down, webhook refusing), try the
    /// same write again after a growing pause, unless a newer decision for the Service has been queued.
    private func retryLater(_ write: ServiceWrite) async {
        let attempt = (failures[write.key] ?? 0) + 1
        failures[write.key] = attempt
        let delay = Duration.milliseconds(min(500 * (1 << min(attempt - 1, 6)), 30_000))
        do {
            try await clock.sleep(for: delay)
        } catch {
            return
        }
        guard queued[write.key] == nil, !inFlight.contains(write.key), fence?.permitsWrites() ?? true else { return }
        submit(write)
    }

    private func next() async -> ServiceWrite? {
        if stopped || Task.isCancelled { return nil }
        if let write = take() { return write }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if stopped || Task.isCancelled {
                    continuation.resume(returning: nil)
                } else {
                    waiting.append(continuation)
                }
            }
        } onCancel: {
            Task { await self.stop() }
        }
    }

    private func stop() {
        stopped = true
        let sleepers = waiting
        waiting = []
        for sleeper in sleepers { sleeper.resume(returning: nil) }
    }

    private func take() -> ServiceWrite? {
        while orderHead < order.count {
            let key = order[orderHead]
            orderHead += 1
            if orderHead > 1024, orderHead * 2 > order.count {
                order.removeFirst(orderHead)
                orderHead = 0
            }
            guard !inFlight.contains(key), let write = queued.removeValue(forKey: key) else { continue }
            inFlight.insert(key)
            return write
        }
        return nil
    }

    private func handOut() {
        while !waiting.isEmpty, let write = take() {
            waiting.removeFirst().resume(returning: write)
        }
    }

    private func finished(_ key: ServiceKey, _ outcome: WriteOutcome) {
        inFlight.remove(key)
        if case .failed = outcome {} else { failures[key] = nil }
        if queued[key] != nil {
            order.append(key)
            handOut()
        }
    }

    // MARK: Sending

    private func perform(_ write: ServiceWrite) async -> WriteOutcome {
        guard let fence else { return await send(write) }
        guard fence.permitsWrites() else { return .fenced }
        return await withTaskGroup(of: WriteOutcome?.self) { group in
            group.addTask { await self.send(write) }
            group.addTask { await Self.waitUntilClosed(fence, clock: self.clock) ? .fenced : nil }
            var outcome: WriteOutcome = .fenced
            while let result = await group.next() {
                if let result {
                    outcome = result
                    break
                }
            }
            group.cancelAll()
            return outcome
        }
    }

    /// Returns true once the fence has closed; false if cancelled first.
    private static func waitUntilClosed(_ fence: WriteFence, clock: ClientClock) async -> Bool {
        while let remaining = fence.remaining(), remaining > .zero {
            do {
                try await clock.sleep(for: remaining)
            } catch {
                return false
            }
        }
        return !Task.isCancelled
    }

    private nonisolated func send(_ write: ServiceWrite) async -> WriteOutcome {
        let key = write.key
        let options = WriteOptions(fieldManager: fieldManager)
        do {
            var stored: JSONValue?
            if let patch = write.patch {
                stored = try await client.patch(
                    .services, namespace: key.namespace, name: key.name, type: .merge, patch: patch, options: options)
            }
            if let status = write.status {
                var loadBalancer = try JSONValue(encoding: status)
                if loadBalancer["ingress"] == nil { loadBalancer["ingress"] = [] }
                // A merge patch replaces the ingress list whole: "these are the addresses now".
                stored = try await client.patch(
                    .services, namespace: key.namespace, name: key.name, type: .merge,
                    patch: ["status": ["loadBalancer": loadBalancer]], subresource: "status", options: options)
            }
            guard let stored else { return .failed("empty write") }
            return .applied(stored)
        } catch KubernetesClientError.conflict {
            return .conflicted(version: write.patch?[path: "metadata", "resourceVersion"]?.stringValue)
        } catch KubernetesClientError.notFound {
            return .gone
        } catch is CancellationError {
            return .fenced
        } catch {
            if Task.isCancelled { return .fenced }
            logger.warning("service write failed", metadata: ["service": "\(key)", "error": "\(error)"])
            return .failed("\(error)")
        }
    }
}
