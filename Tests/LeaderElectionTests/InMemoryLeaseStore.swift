import KubernetesModels
import LeaderElection
import Synchronization

/// Leases in memory with the API server's optimistic concurrency: every write bumps a resourceVersion, and
/// an update carrying an older one is a conflict.
actor InMemoryLeaseStore {
    struct Write: Sendable, Hashable {
        enum Kind: Sendable, Hashable { case create, update }
        var kind: Kind
        var caller: String
        /// The `holderIdentity` written.
        var holder: String?
        /// Virtual time of the write.
        var at: Duration
    }

    private let world: VirtualWorld
    private var leases: [String: Lease] = [:]
    private var version = 0
    private(set) var writes: [Write] = []

    init(world: VirtualWorld) {
        self.world = world
    }

    func lease(namespace: String, name: String) -> Lease? {
        leases["\(namespace)/\(name)"]
    }

    /// Puts a Lease in place as another writer (not one of the electors under test) would.
    @discardableResult
    func put(_ lease: Lease, namespace: String = "kube-system") -> Lease {
        var stored = lease
        stored.metadata.namespace = namespace
        version += 1
        stored.metadata.resourceVersion = String(version)
        leases["\(namespace)/\(lease.metadata.name ?? "")"] = stored
        return stored
    }

    /// Deletes the Lease as an administrator would.
    func delete(namespace: String = "kube-system", name: String) {
        leases["\(namespace)/\(name)"] = nil
    }

    func create(_ lease: Lease, namespace: String, by caller: String) throws -> Lease {
        let key = "\(namespace)/\(lease.metadata.name ?? "")"
        guard leases[key] == nil else { throw LeaseStoreError.conflict }
        writes.append(Write(kind: .create, caller: caller, holder: lease.spec?.holderIdentity, at: world.now))
        return put(lease, namespace: namespace)
    }

    func update(_ lease: Lease, namespace: String, by caller: String) throws -> Lease {
        let key = "\(namespace)/\(lease.metadata.name ?? "")"
        guard let current = leases[key], current.metadata.resourceVersion == lease.metadata.resourceVersion else {
            throw LeaseStoreError.conflict
        }
        writes.append(Write(kind: .update, caller: caller, holder: lease.spec?.holderIdentity, at: world.now))
        return put(lease, namespace: namespace)
    }

    func writes(by caller: String) -> [Write] {
        writes.filter { $0.caller == caller }
    }
}

/// How a test makes one elector's requests misbehave.
enum Fault: Sendable, Hashable {
    /// The request fails at once (a 503, a refused connection).
    case failing
    /// The request never reaches the store and never returns (a black-holed connection).
    case hangingBeforeStore
    /// The store applies the request but the answer never comes back.
    case hangingAfterStore
}

struct InjectedFailure: Error, CustomStringConvertible {
    var description: String { "injected failure" }
}

/// One elector's connection to the shared store, through which the test injects faults.
struct LeaseStoreView: LeaseStore {
    let store: InMemoryLeaseStore
    let caller: String
    let world: VirtualWorld
    private let faults = FaultSwitch()

    init(store: InMemoryLeaseStore, caller: String, world: VirtualWorld) {
        self.store = store
        self.caller = caller
        self.world = world
    }

    /// Applies `fault` to reads and writes (or to writes only) until changed; `nil` heals the connection.
    func inject(_ fault: Fault?, writesOnly: Bool = false) {
        faults.set(fault, writesOnly: writesOnly)
    }

    func lease(namespace: String, name: String) async throws -> Lease? {
        try await through(faults.current(forWrite: false)) { await store.lease(namespace: namespace, name: name) }
    }

    func create(_ lease: Lease, namespace: String) async throws -> Lease {
        try await through(faults.current(forWrite: true)) {
            try await store.create(lease, namespace: namespace, by: caller)
        }
    }

    func update(_ lease: Lease, namespace: String) async throws -> Lease {
        try await through(faults.current(forWrite: true)) {
            try await store.update(lease, namespace: namespace, by: caller)
        }
    }

    private func through<T: Sendable>(_ fault: Fault?, _ request: () async throws -> T) async throws -> T {
        switch fault {
        case nil:
            return try await request()
        case .failing:
            throw InjectedFailure()
        case .hangingBeforeStore:
            try await hangUntilCancelled()
        case .hangingAfterStore:
            _ = try await request()
            try await hangUntilCancelled()
        }
    }

    /// Counted in the world, so that tests know the elector is stuck rather than busy.
    private func hangUntilCancelled() async throws -> Never {
        world.hangingRequests(of: caller, change: +1)
        let (stream, continuation) = AsyncStream<Never>.makeStream()
        for await _ in stream {}
        withExtendedLifetime(continuation) {}
        world.hangingRequests(of: caller, change: -1)
        throw CancellationError()
    }
}

private final class FaultSwitch: Sendable {
    private let state = Mutex<(fault: Fault?, writesOnly: Bool)>((nil, false))

    func set(_ fault: Fault?, writesOnly: Bool) {
        state.withLock { $0 = (fault, writesOnly) }
    }

    func current(forWrite: Bool) -> Fault? {
        state.withLock { state in
            state.writesOnly && !forWrite ? nil : state.fault
        }
    }
}
