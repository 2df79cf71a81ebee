import IPAM
import KubeVipConventions
import KubernetesModels
import NetworkAddresses

/// The allocation rules of the cloud-provider role as a pure state machine: Service and ConfigMap changes go
/// in, writes and Events come out. No I/O and no clock, so every rule is a unit test.
///
/// A follower keeps `services` current (its informers run) but holds no allocator; on becoming leader it
/// rebuilds the allocator from the recorded addresses of every Service before it makes a single new choice,
/// which is what keeps addresses unique across restarts and leader changes.
struct AllocationReconciler: Sendable {
    struct Settings: Sendable, Hashable {
        var classSelection: ClassSelection = .unclassified
        var writeStatus = false
    }

    let settings: Settings
    private(set) var services: [ServiceKey: ServiceView] = [:]
    private(set) var configuration = PoolConfiguration(data: [:])
    /// Present only while this replica is the leader and has rebuilt its state.
    private(set) var allocator: Allocator?
    /// Services that could not be served, and why; each is retried when something changes that could help.
    private(set) var pending: [ServiceKey: PendingReason] = [:]
    /// Services whose last write hit a newer version: nothing more is written for them until that version
    /// arrives, so a stale view cannot produce a loop of refused writes.
    private var awaitingNewerThan: [ServiceKey: String] = [:]
    /// Services that lost a restored address to an older claim and get a fresh one from their pool.
    private var reassign: Set<ServiceKey> = []
    private var reportedDrift: Set<PoolDrift> = []
    /// Services seen showing their allocator-chosen record: if such a record later disappears (annotation
    /// and spec.loadBalancerIP both removed), the user asked for a new address, not for a rewrite.
    private var shownRecord: Set<ServiceKey> = []
    /// Set by a decision that gave addresses back, so that pending Services get another try.
    private var freedAddresses = false
    private var reportedDiagnostics: [Diagnostic] = []

    init(settings: Settings) {
        self.settings = settings
    }

    var isAllocating: Bool { allocator != nil }

    // MARK: Inputs

    /// A Service was added or changed.
    mutating func observe(_ view: ServiceView) -> [ReconcilerEffect] {
        services[view.key] = view
        if let version = awaitingNewerThan[view.key], version != view.resourceVersion {
            awaitingNewerThan[view.key] = nil
        }
        guard allocator != nil else { return [] }
        return reconcile(view.key)
    }

    /// A Service is gone: its addresses are free, which may serve a pending Service.
    mutating func forget(_ key: ServiceKey) -> [ReconcilerEffect] {
        services[key] = nil
        shownRecord.remove(key)
        awaitingNewerThan[key] = nil
        reassign.remove(key)
        pending[key] = nil
        guard allocator?.release(key) != nil else { return [] }
        return retryPending()
    }

    /// The ConfigMap changed (or was found missing: empty data). Nothing that holds a valid address moves;
    /// addresses that left their pool are reported; pending Services are retried at once.
    mutating func configure(_ data: [String: String]) -> [ReconcilerEffect] {
        let next = PoolConfiguration(data: data)
        var effects: [ReconcilerEffect] = []
        if next.diagnostics != reportedDiagnostics {
            reportedDiagnostics = next.diagnostics
            effects.append(.configurationDiagnostics(next.diagnostics))
        }
        guard next != configuration else { return effects }
        configuration = next
        guard allocator != nil else { return effects }
        let drift = allocator?.reconfigure(next) ?? []
        effects += report(drift)
        effects += retryPending()
        // `interface-*` is copied onto allocated Services that have no interface yet, also when it is added later.
        for (key, view) in services where view.serviceInterface == nil && pending[key] == nil {
            if next.interface(forNamespace: key.namespace) != nil, allocator?.assignment(for: key) != nil {
                effects += decide(key)
            }
        }
        return effects
    }

    /// The API server refused a guarded write because the Service changed since the decision.
    mutating func writeConflicted(_ key: ServiceKey, version: String?) {
        guard let version, services[key]?.resourceVersion == version else { return }
        awaitingNewerThan[key] = version
    }

    // MARK: Leadership

    /// Rebuilds the allocator from every Service's record (oldest claim first), then serves every Service.
    mutating func startAllocating() -> [ReconcilerEffect] {
        let views = services.values.sorted { ($0.created, $0.key) < ($1.created, $1.key) }
        var records: [ExistingAssignment] = []
        records.reserveCapacity(views.count)
        for (order, view) in views.enumerated() where view.isHandled(by: settings.classSelection) {
            // A legacy Service (spec.loadBalancerIP without the annotation) holds its address already: it
            // must not lose it to an older, unrecorded Service served first.
            guard case .success(let addresses)? = view.recordedAddresses ?? view.legacyAddress, !addresses.isEmpty
            else { continue }
            records.append(
                ExistingAssignment(
                    service: view.key, addresses: addresses, ports: view.ports,
                    requested: isUserChoice(addresses, namespace: view.key.namespace), created: Int64(order)))
        }
        let (restored, conflicts) = Allocator.restore(configuration: configuration, from: records)
        let drift = restored.drift()
        allocator = consume restored
        pending = [:]
        reportedDrift = []
        var effects: [ReconcilerEffect] = []
        for conflict in conflicts {
            guard let view = services[conflict.rejected] else { continue }
            if view.recordText != nil, !isUserChoice([conflict.address], namespace: view.key.namespace) {
                // Two Services record an address an allocator chose (upstream's cross-namespace bug): the
                // younger gets a new one rather than keeping a duplicate. A Service that only asks for the
                // address (spec.loadBalancerIP, not yet recorded) is refused instead, as it would be at run time.
                reassign.insert(view.key)
                effects.append(
                    .event(
                        note(
                            view, .warning, "AddressConflict",
                            "\(conflict.address) is also held by \(conflict.kept.map(\.description).joined(separator: ", ")), which claimed it first (\(conflict.reason)); assigning a new address from its pool"
                        )))
            }
        }
        effects += report(drift)
        for view in views {
            effects += decide(view.key)
        }
        if freedAddresses { effects += retryPending() }
        return effects
    }

    /// Leadership lost: stop deciding; keep the Service views warm for the next term.
    mutating func stopAllocating() {
        allocator = nil
        pending = [:]
        reassign = []
        reportedDrift = []
        awaitingNewerThan = [:]
        shownRecord = []
    }

    // MARK: Reconcile

    /// Serves one Service and then, if that freed addresses, the pending ones.
    private mutating func reconcile(_ key: ServiceKey) -> [ReconcilerEffect] {
        var effects = decide(key)
        if freedAddresses {
            effects += retryPending()
        }
        return effects
    }

    /// Decides for one Service. The allocator is mutated in place through `self.allocator?` (never copied
    /// into a local first): a second reference would make the first mutation copy its whole state.
    private mutating func decide(_ key: ServiceKey) -> [ReconcilerEffect] {
        guard allocator != nil, let view = services[key], awaitingNewerThan[key] == nil else { return [] }

        guard view.isHandled(by: settings.classSelection), !view.isDeleting else {
            pending[key] = nil
            let released = allocator?.release(key)
            if released != nil { freedAddresses = true }
            guard !view.isDeleting, released != nil || (!view.isLoadBalancer && view.hasImplementationLabel),
                let write = RecordPlan.removal(
                    view, clearLegacyAddress: released?.origin == .pool, writeStatus: settings.writeStatus)
            else { return [] }
            return [.write(write)]
        }

        let previous = allocator?.assignment(for: key)
        let request: AddressRequest
        switch addressRequest(view, current: previous) {
        case .failure(let problem):
            return markPending(view, PendingReason(problem))
        case .success(let (wanted, releaseFirst)):
            request = wanted
            if releaseFirst {
                allocator?.release(key)
                shownRecord.remove(key)
            }
        }

        switch allocator?.allocate(request) {
        case nil:
            return []
        case .failure(let failure):
            return markPending(
                view, PendingReason(failure, configuration: configuration, namespace: key.namespace))
        case .success(let assignment):
            pending[key] = nil
            reassign.remove(key)
            if assignment.origin != .requested, (try? view.recordedAddresses?.get()) == assignment.addresses {
                shownRecord.insert(key)
            }
            var effects: [ReconcilerEffect] = []
            let scope = configuration.scope(forNamespace: key.namespace)
            if previous?.addresses != assignment.addresses {
                effects.append(.allocated(key, scope: scope))
                effects.append(.event(note(view, .normal, "AddressAssigned", assignedMessage(assignment, scope))))
            }
            if let write = RecordPlan.record(
                view, assignment: assignment, interface: configuration.interface(forNamespace: key.namespace),
                writeStatus: settings.writeStatus)
            {
                effects.append(.write(write))
            }
            if let previous, previous.addresses.contains(where: { !assignment.addresses.contains($0) }) {
                freedAddresses = true
            }
            return effects
        }
    }

    /// What the Service asks for. The annotation is the record and wins; `spec.loadBalancerIP` alone is a
    /// legacy request (or `kubectl expose --load-balancer-ip`) to migrate; neither means "from the pool".
    /// The flag says the current addresses must be released first (the user withdrew a static request).
    private func addressRequest(
        _ view: ServiceView, current: Assignment?
    ) -> Result<(AddressRequest, Bool), RecordProblem> {
        func request(_ addresses: [IPAddress]) -> AddressRequest {
            AddressRequest(
                service: view.key, ports: view.ports, familyPolicy: view.familyPolicy, families: view.families,
                requestedAddresses: addresses)
        }
        if reassign.contains(view.key) {
            return .success((request([]), current != nil))
        }
        let ownChoice = current.map { $0.origin != .requested } ?? false
        if let recorded = view.recordedAddresses {
            switch recorded {
            case .failure(let problem): return .failure(problem)
            case .success(let addresses):
                if let current, current.addresses == addresses, ownChoice { return .success((request([]), false)) }
                return .success((request(addresses), false))
            }
        }
        if let legacy = view.legacyAddress {
            switch legacy {
            case .failure(let problem): return .failure(problem)
            case .success(let addresses):
                if let current, ownChoice, current.addresses.first == addresses.first {
                    return .success((request([]), false))  // our own write, its annotation not yet seen
                }
                return .success((request(addresses), false))
            }
        }
        // No record at all: our write has not landed yet (keep what we chose), or the user removed the record
        // or a static request, asking for an address from the pool (a fresh one).
        if shownRecord.contains(view.key) {
            var fresh = request([])
            fresh.freshAddress = true
            return .success((fresh, true))
        }
        return .success((request([]), current?.origin == .requested))
    }

    private mutating func markPending(_ view: ServiceView, _ reason: PendingReason) -> [ReconcilerEffect] {
        guard pending[view.key] != reason else { return [] }  // one Event per transition, not per retry
        pending[view.key] = reason
        return [.event(note(view, .warning, reason.reason, reason.message))]
    }

    /// Retries every pending Service, oldest first, after something that could have helped; again if a retry
    /// itself freed addresses (a Service moved to the address it asked for).
    private mutating func retryPending() -> [ReconcilerEffect] {
        var effects: [ReconcilerEffect] = []
        freedAddresses = false
        for _ in 0..<3 where !pending.isEmpty {
            let keys = pending.keys.sorted { lhs, rhs in
                let left = services[lhs]?.created ?? ""
                let right = services[rhs]?.created ?? ""
                return (left, lhs) < (right, rhs)
            }
            for key in keys where pending[key] != nil {
                effects += decide(key)
            }
            guard freedAddresses else { break }
            freedAddresses = false
        }
        freedAddresses = false
        return effects
    }

    private mutating func report(_ drift: [PoolDrift]) -> [ReconcilerEffect] {
        let current = Set(drift)
        defer { reportedDrift = current }
        return drift.filter { !reportedDrift.contains($0) }.compactMap { entry in
            guard let view = services[entry.service] else { return nil }
            return .event(
                note(
                    view, .warning, "AddressOutsidePool",
                    "\(entry); it keeps the address (nothing moves by itself). For a new one, remove the annotation \(KubeVipKeys.loadBalancerIPs) and spec.loadBalancerIP in one change: kubectl patch service \(entry.service.name) -n \(entry.service.namespace) --type merge -p '{\"metadata\":{\"annotations\":{\"\(KubeVipKeys.loadBalancerIPs)\":null}},\"spec\":{\"loadBalancerIP\":null}}'"
                ))
        }
    }

    /// Whether recorded addresses look like a user's choice rather than the allocator's: outside the pool the
    /// namespace draws from (a DHCP pool's `0.0.0.0` is the allocator's).
    private func isUserChoice(_ addresses: [IPAddress], namespace: String) -> Bool {
        guard let pool = configuration.pool(forNamespace: namespace) else { return true }
        return !addresses.allSatisfy { address in
            address.isUnspecified ? pool.isDHCP : pool.contains(address)
        }
    }

    private func assignedMessage(_ assignment: Assignment, _ scope: PoolScope?) -> String {
        switch assignment.origin {
        case .pool: "assigned \(assignment.annotationValue) from \(scope?.phrase ?? "the pool")"
        case .requested: "using requested address \(assignment.annotationValue)"
        case .dhcp: "DHCP: the node agent leases an address for 0.0.0.0"
        }
    }

    private func note(
        _ view: ServiceView, _ kind: ServiceEventNote.Kind, _ reason: String, _ message: String
    ) -> ServiceEventNote {
        ServiceEventNote(service: view.key, uid: view.uid, kind: kind, reason: reason, message: message)
    }
}
