import CloudProvider
import Foundation
import KubernetesAPIServer
import KubernetesClient
import KubernetesModels
import LeaderElection
import Logging
import Metrics
import ObservabilityServer
import ServiceLifecycle
import Testing

/// Logs of the code under test stay quiet unless a test is being debugged (`CLOUD_PROVIDER_TEST_LOGS=1`).
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["CLOUD_PROVIDER_TEST_LOGS"] == nil ? .critical : .debug
    return logger
}

/// Runs a real `EmbeddedAPIServer` on an ephemeral port for the length of `body`.
func withAPIServer<T>(_ body: (Int) async throws -> T) async throws -> T {
    try await EmbeddedAPIServer.withRunningServer(logger: quietLogger("api-server"), body)
}

/// A client for the embedded server, shut down however `body` ends.
func withClient<T>(port: Int, _ body: (KubernetesClient) async throws -> T) async throws -> T {
    try await withClient(port: port, userAgent: nil, body)
}

/// A client for the embedded server that introduces itself as `userAgent` (the user RBAC sees).
func withClient<T>(port: Int, userAgent: String?, _ body: (KubernetesClient) async throws -> T) async throws -> T {
    var configuration = ClientConfiguration(server: "http://127.0.0.1:\(port)")
    configuration.rateLimit = .unlimited
    if let userAgent { configuration.userAgent = userAgent }
    return try await KubernetesClient.withClient(configuration: configuration, logger: quietLogger("client"), body)
}

/// One running `CloudProvider`, stoppable the way a pod is stopped (SIGTERM → graceful shutdown).
struct RunningProvider: Sendable {
    let name: String
    let status: CloudProviderStatus
    private let group: ServiceGroup

    init(name: String, status: CloudProviderStatus, group: ServiceGroup) {
        self.name = name
        self.status = status
        self.group = group
    }

    func stop() async { await group.triggerGracefulShutdown() }

    /// Leading, rebuilt from every Service, and allocating.
    var isAllocating: Bool { status.snapshot.allocating }
}

/// Runs a `CloudProvider` in a `ServiceGroup` for the length of `body`; it is shut down gracefully and awaited
/// however `body` ends (and cancelled if `body` throws), so that no provider outlives its test.
func withCloudProvider<T>(
    name: String = "replica", client: KubernetesClient, settings: CloudProviderSettings = CloudProviderSettings(),
    election: LeaderElectionConfiguration? = nil, metricsFactory: any MetricsFactory = MetricsRegistry().factory,
    _ body: (RunningProvider) async throws -> T
) async throws -> T {
    let provider = CloudProvider(
        settings: settings, client: client, election: election, metricsFactory: metricsFactory,
        logger: quietLogger("cloud-provider.\(name)"))
    let group = ServiceGroup(services: [provider], logger: quietLogger("service-group.\(name)"))
    let running = RunningProvider(name: name, status: provider.status, group: group)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let result = try await body(running)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// Settings pointing at the ConfigMap the tests write, with writes in submission order so that "the last
/// write has landed" also means "every earlier write has".
func testSettings(writeStatus: Bool = false, host: String? = nil) -> CloudProviderSettings {
    var settings = CloudProviderSettings()
    settings.writeStatus = writeStatus
    settings.writeConcurrency = 1
    settings.eventHost = host
    return settings
}

/// Short leader-election retries, so a graceful handover (the Lease released) costs a fraction of a second; the
/// lease itself is long enough (4 s, renewed within 3 s) that a loaded 2-core CI machine never makes the leader
/// lose it by accident in the middle of a test, which a 0.7 s renew deadline once did.
func quickElection(identity: String) -> LeaderElectionConfiguration {
    LeaderElectionConfiguration(
        leaseName: "kube-vip-cloud-controller", namespace: "kube-system", identity: identity,
        leaseDuration: .seconds(4), renewDeadline: .seconds(3), retryPeriod: .milliseconds(200), retryJitter: 0)
}

struct ConditionTimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every 20 ms until it holds; the timeout is only a safety net against a hang.
func eventually(
    _ what: String, timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        if ContinuousClock.now >= deadline {
            Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
            throw ConditionTimedOut(what: what)
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

// MARK: Objects through the API

extension KubernetesClient {
    /// Creates or replaces the `kubevip` ConfigMap in `kube-system`.
    func writePools(_ data: [String: String]) async throws {
        let configMap = ConfigMap(metadata: ObjectMeta(name: "kubevip", namespace: "kube-system"), data: data)
        do {
            _ = try await create(.configMaps, namespace: "kube-system", configMap)
        } catch KubernetesClientError.alreadyExists {
            _ = try await update(.configMaps, namespace: "kube-system", configMap)
        }
    }

    @discardableResult
    func createLoadBalancer(_ name: String, namespace: String = "default", port: Int = 80) async throws
        -> KubernetesService
    {
        try await create(
            .services, namespace: namespace,
            KubernetesService(
                metadata: ObjectMeta(name: name, namespace: namespace),
                spec: ServiceSpec(type: "LoadBalancer", ports: [ServicePort(protocol: "TCP", port: port)])))
    }

    func service(_ name: String, namespace: String = "default") async throws -> KubernetesService {
        try await get(.services, namespace: namespace, name: name, as: KubernetesService.self)
    }

    /// The recorded address of a Service, nil while it has none.
    func recordedAddress(_ name: String, namespace: String = "default") async throws -> String? {
        try await service(name, namespace: namespace).metadata.annotations?["kube-vip.io/loadbalancerIPs"]
    }

    /// Every LoadBalancer Service's record, for "no address twice" checks.
    func allRecords() async throws -> [String: String] {
        let services = try await list(.services, namespace: nil, as: KubernetesService.self).items
        var records: [String: String] = [:]
        for service in services {
            if let record = service.metadata.annotations?["kube-vip.io/loadbalancerIPs"] {
                records["\(service.metadata.namespace ?? "")/\(service.metadata.name ?? "")"] = record
            }
        }
        return records
    }

    func events(namespace: String = "default") async throws -> [Event] {
        try await list(.events, namespace: namespace, as: Event.self).items
    }
}
