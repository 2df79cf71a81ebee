import IPAM
import KubernetesClient
import KubernetesModels
import LeaderElection
import Logging

/// Owns the allocation state and applies the reconciler's decisions: writes to the writer, Events to the
/// sink, numbers to the metrics. Everything arrives through one stream, in order.
actor AllocatorActor {
    private var reconciler: AllocationReconciler
    private let client: KubernetesClient
    private let writer: ServiceWriter
    private let events: EventSink
    private let metrics: CloudProviderMetrics
    private let status: CloudProviderStatus
    private let settings: CloudProviderSettings
    private let logger: Logger

    private var leading = false
    private var servicesSynced = false
    private var configurationSynced = false
    /// Set when leadership is won: the watch may lag behind the previous leader's last writes, so a fresh
    /// list (or a completed informer re-list) must be seen before the first allocation.
    private var needsConsistentRead = false
    private var configMap: ConfigMap?
    /// What this replica has posted as Events on the ConfigMap during its current term as leader: starting to
    /// allocate re-posts only what is new, so a leader that read a broken ConfigMap does not report it twice.
    /// A new term posts again (the previous leader's Events may have expired).
    private var postedDiagnostics: PostedDiagnostics?
    private var poolSeries: Set<PoolSeries> = []
    /// Pool gauges are refreshed on a tick rather than per change: recomputing every pool's use after each
    /// of 10,000 allocations cost a third of the controller's CPU.
    private var poolsChanged = false

    init(
        settings: CloudProviderSettings, client: KubernetesClient, writer: ServiceWriter, events: EventSink,
        metrics: CloudProviderMetrics, status: CloudProviderStatus, logger: Logger
    ) {
        self.settings = settings
        self.reconciler = AllocationReconciler(
            settings: .init(classSelection: settings.classSelection, writeStatus: settings.writeStatus))
        self.client = client
        self.writer = writer
        self.events = events
        self.metrics = metrics
        self.status = status
        self.logger = logger
    }

    func run(_ inputs: AsyncStream<ControllerInput>) async {
        for await input in inputs {
            await handle(input)
        }
    }

    private func handle(_ input: ControllerInput) async {
        var effects: [ReconcilerEffect] = []
        switch input {
        case .service(let event):
            switch event {
            case .added(let service), .updated(_, let service):
                effects = reconciler.observe(ServiceView(json: service))
            case .deleted(let service):
                effects = reconciler.forget(ServiceView(json: service).key)
            case .synced:
                servicesSynced = true
                needsConsistentRead = false  // a list that completed now is at least as new as any write before
            }
        case .configMap(let event):
            switch event {
            case .added(let object), .updated(_, let object):
                configMap = object
                effects = reconciler.configure(object.data ?? [:])
            case .deleted:
                configMap = nil
                logger.warning("ConfigMap \(settings.configMapNamespace)/\(settings.configMapName) deleted: no pools")
                effects = reconciler.configure([:])
            case .synced:
                if !configurationSynced, configMap == nil {
                    logger.warning(
                        "ConfigMap \(settings.configMapNamespace)/\(settings.configMapName) not found: no pools until it is created")
                }
                configurationSynced = true
            }
        case .leadership(let leadership):
            effects = await changeLeadership(leadership)
        case .refreshMetrics:
            if poolsChanged, let allocator = reconciler.allocator {
                metrics.setPools(allocator.usage(), previous: &poolSeries)
                poolsChanged = false
            }
        case .written(let key, _, let outcome):
            metrics.wrote(outcome)
            switch outcome {
            case .applied(let stored):
                if isNewer(stored.metadataResourceVersion, than: reconciler.services[key]?.resourceVersion) {
                    effects = reconciler.observe(ServiceView(json: stored))
                }
            case .conflicted(let version):
                logger.debug("write refused, the Service changed", metadata: ["service": "\(key)"])
                reconciler.writeConflicted(key, version: version)
            case .gone, .fenced, .failed:  // the writer retries failures itself
                break
            }
        }
        effects += await startIfReady()
        await apply(effects)
        switch input {
        case .refreshMetrics: break
        case .written: if !effects.isEmpty { poolsChanged = true }
        default: poolsChanged = true  // a ConfigMap or leadership change alters the pools even with no Service
        }
        publish()
    }

    private func changeLeadership(_ leadership: Leadership) async -> [ReconcilerEffect] {
        let nowLeading = leadership == .leading
        guard nowLeading != leading else { return [] }
        leading = nowLeading
        postedDiagnostics = nil
        metrics.setLeader(nowLeading)
        if nowLeading {
            logger.info("leading: rebuilding from every Service before allocating")
            needsConsistentRead = servicesSynced
            return []
        }
        logger.info("no longer leading: writes stopped", metadata: ["holder": "\(leadership)"])
        reconciler.stopAllocating()
        await writer.discardQueued()
        return []
    }

    /// Starts allocating once leading with both watches synced, after reading the Services afresh if the
    /// watch could be behind the previous leader.
    private func startIfReady() async -> [ReconcilerEffect] {
        guard leading, !reconciler.isAllocating, servicesSynced, configurationSynced else { return [] }
        if needsConsistentRead {
            do {
                let (items, version) = try await client.listAll(.services, namespace: nil)
                merge(items, listVersion: version)
                needsConsistentRead = false
            } catch {
                logger.warning("listing Services after taking over failed; retrying with the next input (at most a second)",
                    metadata: ["error": "\(error)"])
                return []
            }
        }
        let started = ContinuousClock.now
        let effects = reconciler.startAllocating()
        await postConfigurationEvents(reconciler.configuration.diagnostics)
        logger.info(
            "allocating",
            metadata: [
                "services": "\(reconciler.services.count)",
                "rebuild": "\(ContinuousClock.now - started)",
            ])
        return effects
    }

    /// Folds a fresh list into the mirrored Services: newer versions win, and Services missing from it that
    /// are not newer than the list are gone.
    private func merge(_ items: [JSONValue], listVersion: String) {
        var seen: Set<ServiceKey> = []
        for item in items {
            let view = ServiceView(json: item)
            seen.insert(view.key)
            if isNewer(view.resourceVersion, than: reconciler.services[view.key]?.resourceVersion) {
                _ = reconciler.observe(view)
            }
        }
        for (key, view) in reconciler.services where !seen.contains(key) {
            if !isNewer(view.resourceVersion, than: listVersion) {
                _ = reconciler.forget(key)
            }
        }
    }

    /// resourceVersions are opaque, but every API server in practice issues increasing integers; compare
    /// them numerically when they are, and treat anything else as newer (the safe side for a fresh read).
    private func isNewer(_ candidate: String?, than current: String?) -> Bool {
        guard let candidate, let current else { return true }
        guard let new = UInt64(candidate), let old = UInt64(current) else { return candidate != current }
        return new > old
    }

    private func apply(_ effects: [ReconcilerEffect]) async {
        for effect in effects {
            switch effect {
            case .write(let write):
                await writer.submit(write)
            case .event(let note):
                if note.kind == .warning {
                    metrics.failed(reason: note.reason)
                    logger.warning(
                        "\(note.reason): \(note.message)", metadata: ["service": "\(note.service)"])
                }
                await events.post(
                    EventSink.EventNote(
                        object: ObjectReference(
                            apiVersion: "v1", kind: "Service", namespace: note.service.namespace,
                            name: note.service.name, uid: note.uid),
                        type: note.kind == .warning ? .warning : .normal, reason: note.reason, message: note.message))
            case .allocated(_, let scope):
                metrics.allocated(scope: scope)
            case .configurationDiagnostics(let diagnostics):
                await reportConfiguration(diagnostics)
            }
        }
    }

    private func reportConfiguration(_ diagnostics: [Diagnostic]) async {
        let errors = diagnostics.filter { $0.severity == .error }.count
        metrics.setConfigurationProblems(errors: errors, warnings: diagnostics.count - errors)
        for diagnostic in diagnostics {
            if diagnostic.severity == .error {
                logger.error("ConfigMap \(settings.configMapNamespace)/\(settings.configMapName): \(diagnostic)")
            } else {
                logger.warning("ConfigMap \(settings.configMapNamespace)/\(settings.configMapName): \(diagnostic)")
            }
        }
        await postConfigurationEvents(diagnostics)
    }

    /// Events are written by the leader only, so that replicas do not repeat each other.
    private func postConfigurationEvents(_ diagnostics: [Diagnostic]) async {
        guard leading, let configMap else { return }
        guard !diagnostics.isEmpty else {
            postedDiagnostics = nil  // fixed: the same mistake made again is news again
            return
        }
        let posting = PostedDiagnostics(configMap: configMap.metadata.uid, diagnostics: diagnostics)
        guard posting != postedDiagnostics else { return }
        postedDiagnostics = posting
        let reference = ObjectReference(
            apiVersion: "v1", kind: "ConfigMap", namespace: configMap.metadata.namespace,
            name: configMap.metadata.name, uid: configMap.metadata.uid)
        for diagnostic in diagnostics {
            await events.post(
                EventSink.EventNote(
                    object: reference, type: diagnostic.severity == .error ? .warning : .normal,
                    reason: diagnostic.severity == .error ? "InvalidPoolEntry" : "PoolEntryNotice",
                    message: diagnostic.description))
        }
    }

    private func publish() {
        let allocating = reconciler.isAllocating
        let tracked = reconciler.services.count
        let pending = reconciler.pending.count
        let allocated = reconciler.allocator?.assignmentCount ?? 0
        status.update { snapshot in
            snapshot.servicesSynced = servicesSynced
            snapshot.configurationSynced = configurationSynced
            snapshot.leading = leading
            snapshot.allocating = allocating
            snapshot.trackedServices = tracked
            snapshot.pendingServices = pending
            snapshot.allocatedServices = allocated
        }
        metrics.setPending(pending)
    }
}

/// The ConfigMap problems a leader has posted, and on which incarnation of the ConfigMap.
private struct PostedDiagnostics: Equatable {
    let configMap: String?
    let diagnostics: [Diagnostic]
}
