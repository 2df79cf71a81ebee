import Foundation
import KubernetesClient
import KubernetesModels
import Logging
import Synchronization

/// One test's cluster of real processes: `kube-vip dev` as the API server (with or without its in-process
/// allocator), any number of `kube-vip cloud-provider` replicas, the real kubectl, and an API client for the
/// test's own reads and writes.
///
/// Every `kube-vip` child runs as `sh -c 'exec kube-vip … 2>>log'`: `exec` keeps the PID, so signals reach
/// kube-vip itself, and its log can be read while it runs (the metrics port it bound, the tail of what it
/// said for a failure message). When the body ends, also by throwing, every child is killed by its PID and
/// the temporary directory is removed.
final class CloudProviderCluster: Sendable {
    static let addressAnnotation = "kube-vip.io/loadbalancerIPs"
    static let leaseNamespace = "kube-system"
    static let leaseName = "kube-vip-cloud-controller"

    let root: URL
    /// The kubeconfig `kube-vip dev` told us to export.
    let kubeconfig: String
    /// The test's own client, not rate limited, so that the test is never the bottleneck it measures.
    let client: KubernetesClient
    private let children: ProcessList
    private let logs: LogFiles

    var home: URL { root.appendingPathComponent("home") }

    private init(root: URL, kubeconfig: String, client: KubernetesClient, children: ProcessList, logs: LogFiles) {
        self.root = root
        self.kubeconfig = kubeconfig
        self.client = client
        self.children = children
        self.logs = logs
    }

    /// Starts `kube-vip dev --port 0 --ephemeral` (plus `--no-allocator` unless `allocator`), runs `body`,
    /// and tears everything down.
    static func with(allocator: Bool, _ body: (CloudProviderCluster) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("kube-vip-cloud-provider-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("home"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let children = ProcessList()
        do {
            try await run(root: root, allocator: allocator, children: children, body)
        } catch {
            await children.killAll()
            throw error
        }
        await children.killAll()
    }

    private static func run(
        root: URL, allocator: Bool, children: ProcessList, _ body: (CloudProviderCluster) async throws -> Void
    ) async throws {
        let logs = LogFiles()
        let devLog = root.appendingPathComponent("dev.log")
        let dev = try startKubeVip(
            ["dev", "--port", "0", "--ephemeral", "--data-dir", root.appendingPathComponent("dev").path]
                + (allocator ? [] : ["--no-allocator"]),
            log: devLog, home: root.appendingPathComponent("home"), children: children)
        logs.add("kube-vip dev", devLog)
        guard await dev.waitForOutput(containing: "\n"),
            let line = dev.stdout.split(separator: "\n").first(where: { $0.hasPrefix("export KUBECONFIG=") })
        else {
            throw DevTestFailure("kube-vip dev did not print its KUBECONFIG:\n\(logs.tails())")
        }
        let kubeconfig = String(line.dropFirst("export KUBECONFIG=".count))
        var configuration = try Kubeconfig.load(path: kubeconfig)
        configuration.rateLimit = .unlimited
        var logger = Logger(label: "cloud-provider-test")
        logger.logLevel = .error
        let client = try KubernetesClient(configuration: configuration, logger: logger)
        let cluster = CloudProviderCluster(
            root: root, kubeconfig: kubeconfig, client: client, children: children, logs: logs)
        do {
            try await body(cluster)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// `kube-vip arguments…` with standard error appended to `log`, registered for the final kill.
    private static func startKubeVip(
        _ arguments: [String], log: URL, home: URL, children: ProcessList
    ) throws -> KubectlProcess {
        guard let binary = DevBinary.path else { throw DevTestFailure("no kube-vip binary next to the test runner") }
        let script = #"log="$1"; shift; exec "$@" 2>>"$log""#
        let child = try KubectlProcess(
            ["-c", script, "sh", log.path, binary] + arguments,
            environment: ["HOME": home.path, "PATH": "/usr/bin:/bin"], executable: "/bin/sh")
        children.append(child)
        return child
    }

    // MARK: Replicas

    /// Starts `kube-vip cloud-provider` against the dev server, serving /metrics and /readyz on a port the
    /// system picks (read back from its log).
    func startReplica(_ identity: String, timing: LeaseTiming, extra: [String] = []) throws -> CloudProviderReplica {
        let log = root.appendingPathComponent("\(identity).log")
        let arguments = [
            "cloud-provider", "--kubeconfig", kubeconfig, "--identity", identity,
            "--leader-elect-lease-duration", timing.lease, "--leader-elect-renew-deadline", timing.renew,
            "--leader-elect-retry-period", timing.retry, "--http-address", "127.0.0.1:0",
        ]
        let process = try Self.startKubeVip(arguments + extra, log: log, home: home, children: children)
        logs.add(identity, log)
        return CloudProviderReplica(identity: identity, process: process, log: log)
    }

    /// The holder of the replicas' Lease, nil when nobody holds it (absent, or released).
    func leaseHolder() async throws -> String? {
        do {
            let lease = try await client.get(
                .leases, namespace: Self.leaseNamespace, name: Self.leaseName, as: Lease.self)
            guard let holder = lease.spec?.holderIdentity, !holder.isEmpty else { return nil }
            return holder
        } catch KubernetesClientError.notFound {
            return nil
        }
    }

    /// Polls the Lease until one of `candidates` holds it.
    func waitForLeader(
        among candidates: [CloudProviderReplica], within limit: Duration = .seconds(15),
        every interval: Duration = .milliseconds(25)
    ) async throws -> CloudProviderReplica {
        try await eventually("one of \(candidates.map(\.identity)) to hold the Lease", within: limit, every: interval) {
            let holder = try await self.leaseHolder()
            return candidates.first { $0.identity == holder }
        } diagnostics: {
            self.logTails()
        }
    }

    // MARK: Services

    static func loadBalancerService(_ name: String, namespace: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "type": "LoadBalancer", "selector": ["app": "web"],
                "ports": [["name": "http", "port": 80, "protocol": "TCP"]],
            ],
        ]
    }

    /// The pools, as the seed's `kubectl create configmap -n kube-system kubevip --from-literal …` makes them.
    func createPoolConfigMap(_ data: [String: String]) async throws {
        let object: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "kubevip", "namespace": "kube-system"],
            "data": .object(data.mapValues { .string($0) }),
        ]
        _ = try await client.create(.configMaps, namespace: "kube-system", object: object)
    }

    func createLoadBalancerService(_ name: String, namespace: String = "default") async throws {
        _ = try await client.create(
            .services, namespace: namespace, object: Self.loadBalancerService(name, namespace: namespace))
    }

    /// Creates `names` with `concurrency` requests in flight.
    func createLoadBalancerServices(_ names: [String], concurrency: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = names.makeIterator()
            for _ in 0..<concurrency {
                guard let name = next.next() else { break }
                group.addTask { try await self.createLoadBalancerService(name) }
            }
            while try await group.next() != nil {
                guard let name = next.next() else { continue }
                group.addTask { try await self.createLoadBalancerService(name) }
            }
        }
    }

    func services() async throws -> [KubernetesService] {
        try await client.listAll(.services, namespace: nil, as: KubernetesService.self).items
    }

    /// Polls one Service until it carries an address record (and, with `inStatus`, an ingress address too,
    /// which `kube-vip dev` writes so that `kubectl get svc` shows it).
    func waitForAddress(
        _ name: String, namespace: String = "default", inStatus: Bool = false, within limit: Duration = .seconds(15)
    ) async throws -> KubernetesService {
        try await eventually("\(namespace)/\(name) to be given an address", within: limit) {
            let service: KubernetesService
            do {
                service = try await self.client.get(
                    .services, namespace: namespace, name: name, as: KubernetesService.self)
            } catch KubernetesClientError.notFound {
                return nil
            }
            guard service.recordedAddress != nil else { return nil }
            if inStatus, (service.status?.loadBalancer?.ingress ?? []).isEmpty { return nil }
            return service
        } diagnostics: {
            self.logTails()
        }
    }

    // MARK: kubectl

    /// Runs `kubectl arguments…` against the dev server with a private HOME and cache.
    func kubectl(_ arguments: [String]) async throws -> KubectlProcess.Result {
        try await KubectlProcess.run(
            arguments + ["--cache-dir=\(home.appendingPathComponent("kubectl-cache").path)"],
            environment: ["HOME": home.path, "KUBECONFIG": kubeconfig, "PATH": "/usr/bin:/bin"])
    }

    // MARK: Diagnostics

    /// The last lines each child logged, for failure messages.
    func logTails(lines: Int = 25) -> String {
        logs.tails(lines: lines)
    }
}

/// The Lease timings passed to every replica, as Go durations.
struct LeaseTiming: Sendable {
    var lease: String
    var renew: String
    var retry: String
    var leaseDuration: Duration
}

extension KubernetesService {
    /// The allocation record, `kube-vip.io/loadbalancerIPs`.
    var recordedAddress: String? {
        metadata.annotations?[CloudProviderCluster.addressAnnotation].flatMap { $0.isEmpty ? nil : $0 }
    }

    var key: String { "\(metadata.namespace ?? "default")/\(metadata.name ?? "")" }
}

/// Which child wrote which log file.
private final class LogFiles: Sendable {
    private let files = Mutex<[(name: String, url: URL)]>([])

    func add(_ name: String, _ url: URL) { files.withLock { $0.append((name, url)) } }

    func tails(lines: Int = 25) -> String {
        files.withLock { $0 }.map { name, url in
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            return "--- \(name) (last \(lines) lines of its log)\n" + tail.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
