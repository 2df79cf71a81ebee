import IPAM
import KubeVipConventions
import KubernetesModels
import Testing

@testable import CloudProvider

/// The reconciler with a small stand-in for the API server and the informer around it.
///
/// Writes are applied the way the API server applies them (a merge patch refused when its
/// `metadata.resourceVersion` is stale, status replaced, a new resourceVersion on every change) and the stored
/// result is handed back to the reconciler, as the watch would deliver it. That lets a test follow a Service
/// through several rounds of decisions without any I/O; `holdWrites` keeps writes queued so a test can put a
/// user's edit between a decision and its write.
struct ReconcilerHarness {
    private(set) var reconciler: AllocationReconciler
    private(set) var stored: [ServiceKey: KubernetesService] = [:]
    /// Every Event the reconciler asked for, in order.
    private(set) var events: [ServiceEventNote] = []
    /// Every write the reconciler asked for, in order (applied or not).
    private(set) var writes: [ServiceWrite] = []
    /// Writes the server refused with 409.
    private(set) var conflicts: [ServiceWrite] = []
    private(set) var allocations: [ServiceKey] = []
    var holdWrites = false
    private var held: [ServiceWrite] = []
    private var version = 100

    init(_ pools: [String: String], writeStatus: Bool = false, classSelection: ClassSelection = .unclassified) {
        reconciler = AllocationReconciler(settings: .init(classSelection: classSelection, writeStatus: writeStatus))
        _ = reconciler.configure(pools)
    }

    // MARK: What the cluster does

    /// Stores the Service with a fresh resourceVersion, as a create through the API would.
    mutating func create(_ service: KubernetesService) throws {
        var service = service
        service.metadata.resourceVersion = nextVersion()
        stored[ServiceView(service).key] = service
        let effects = reconciler.observe(ServiceView(service))
        try run(effects)
    }

    /// A user's edit of a stored Service. `delivered: false` leaves the watch behind: the server has the new
    /// version, the reconciler has not seen it yet.
    mutating func edit(
        _ name: String, namespace: String = "default", delivered: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation, _ change: (inout KubernetesService) -> Void
    ) throws {
        let key = ServiceKey(namespace: namespace, name: name)
        var service = try #require(stored[key], "no Service \(key)", sourceLocation: sourceLocation)
        change(&service)
        service.metadata.resourceVersion = nextVersion()
        stored[key] = service
        if delivered {
            try deliver(service)
        }
    }

    /// The watch reports this version of a Service (again, or late).
    mutating func deliver(_ service: KubernetesService) throws {
        let effects = reconciler.observe(ServiceView(service))
        try run(effects)
    }

    mutating func delete(_ name: String, namespace: String = "default") throws {
        let key = ServiceKey(namespace: namespace, name: name)
        stored[key] = nil
        let effects = reconciler.forget(key)
        try run(effects)
    }

    mutating func configure(_ pools: [String: String]) throws {
        let effects = reconciler.configure(pools)
        try run(effects)
    }

    /// This replica won the election and its watches have synced.
    mutating func lead() throws {
        let effects = reconciler.startAllocating()
        try run(effects)
    }

    mutating func follow() {
        reconciler.stopAllocating()
        held = []
    }

    /// Applies the writes kept back by `holdWrites`, oldest first.
    mutating func releaseHeldWrites() throws {
        let pending = held
        held = []
        for write in pending {
            let effects = try apply(write)
            try run(effects)
        }
    }

    // MARK: Reading the outcome

    func service(_ name: String, namespace: String = "default") -> KubernetesService? {
        stored[ServiceKey(namespace: namespace, name: name)]
    }

    /// The `kube-vip.io/loadbalancerIPs` annotation as stored.
    func record(_ name: String, namespace: String = "default") -> String? {
        service(name, namespace: namespace)?.metadata.annotations?[KubeVipKeys.loadBalancerIPs]
    }

    /// The recorded addresses of every stored Service, for "no address twice" checks.
    var recordedAddresses: [String] {
        stored.values.compactMap { $0.metadata.annotations?[KubeVipKeys.loadBalancerIPs] }
            .flatMap { $0.split(separator: ",").map(String.init) }
    }

    func events(reason: String) -> [ServiceEventNote] {
        events.filter { $0.reason == reason }
    }

    func writes(for name: String, namespace: String = "default") -> [ServiceWrite] {
        writes.filter { $0.key == ServiceKey(namespace: namespace, name: name) }
    }

    /// Forgets what was recorded so far, so a test can check what one step produces.
    mutating func clearHistory() {
        events = []
        writes = []
        conflicts = []
        allocations = []
    }

    // MARK: Carrying out effects

    private mutating func run(_ effects: [ReconcilerEffect]) throws {
        var queue = effects
        var index = 0
        while index < queue.count {
            let effect = queue[index]
            index += 1
            switch effect {
            case .event(let note):
                events.append(note)
            case .write(let write):
                writes.append(write)
                if holdWrites {
                    held.append(write)
                } else {
                    queue += try apply(write)
                }
            case .allocated(let key, _):
                allocations.append(key)
            case .configurationDiagnostics:
                break
            }
        }
    }

    /// What the API server does with one write, and what the informer then reports.
    private mutating func apply(_ write: ServiceWrite) throws -> [ReconcilerEffect] {
        guard var service = stored[write.key] else { return [] }
        if let patch = write.patch {
            if let guarded = patch[path: "metadata", "resourceVersion"]?.stringValue,
                guarded != service.metadata.resourceVersion
            {
                conflicts.append(write)
                reconciler.writeConflicted(write.key, version: guarded)
                return []
            }
            service = try JSONMergePatch.apply(patch, to: JSONValue(encoding: service)).decode(as: KubernetesService.self)
        }
        if let status = write.status {
            service.status = ServiceStatus(loadBalancer: status)
        }
        service.metadata.resourceVersion = nextVersion()
        stored[write.key] = service
        return reconciler.observe(ServiceView(service))
    }

    private mutating func nextVersion() -> String {
        version += 1
        return String(version)
    }
}
