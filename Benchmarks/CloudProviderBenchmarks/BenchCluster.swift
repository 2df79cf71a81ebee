import Foundation
import KubernetesClient
import KubernetesModels
import Logging

/// The system under test: `kube-vip dev` (the embedded API server alone) and `kube-vip cloud-provider`
/// against it, as two children started from a release binary, plus the benchmark's own client.
///
/// Separate processes so that the controller's CPU can be read from `/proc` apart from the server's and
/// the benchmark's, and so that it talks to the server through real HTTP as it would in a cluster.
struct BenchCluster: Sendable {
    let server: ChildProcess
    let controller: ChildProcess
    let client: KubernetesClient
    /// The kubeconfig `kube-vip dev` wrote, for more clients (`kube-vip status`).
    let kubeconfig: String
    private let directory: URL

    /// Starts both children and waits until the controller allocates: the server listens, the namespaces
    /// and the ConfigMap exist, and the controller has listed Services and the ConfigMap. Whatever was
    /// started is stopped again if a later step fails.
    static func start(binary: String, writeStatus: Bool) async throws -> BenchCluster {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cp-bench-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var server: ChildProcess?
        var client: KubernetesClient?
        do {
            let environment = childEnvironment()
            let dev = try ChildProcess(
                name: "kube-vip dev", executable: binary,
                arguments: ["dev", "--no-allocator", "--ephemeral", "--port", "0", "--data-dir", directory.path],
                environment: environment)
            server = dev
            let exportLine = try await dev.firstLine(on: .stdout, timeout: .seconds(60)) {
                $0.hasPrefix("export KUBECONFIG=")
            }
            let kubeconfig = String(exportLine.dropFirst("export KUBECONFIG=".count))

            var configuration = try Kubeconfig.load(path: kubeconfig)
            configuration.rateLimit = .unlimited
            configuration.userAgent = "cloud-provider-benchmark"
            let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
            let benchClient = try KubernetesClient(configuration: configuration, logger: quiet)
            client = benchClient
            try await createLayout(with: benchClient)

            var arguments = [
                "cloud-provider", "--kubeconfig", kubeconfig, "--leader-elect=false", "--kube-api-qps", "0",
                "--http-address", "127.0.0.1:0",
            ]
            if writeStatus { arguments.append("--write-status") }
            let controller = try ChildProcess(
                name: "kube-vip cloud-provider", executable: binary, arguments: arguments, environment: environment)
            let cluster = BenchCluster(
                server: dev, controller: controller, client: benchClient, kubeconfig: kubeconfig, directory: directory)
            do {
                // The controller logs "allocating" once it leads and both of its watches have synced.
                _ = try await controller.firstLine(on: .stderr, timeout: .seconds(60)) { $0.hasSuffix("] allocating") }
            } catch {
                await cluster.stop()
                throw error
            }
            return cluster
        } catch {
            try? await client?.shutdown()
            await server?.terminate()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Kills both children and removes the data directory. Safe to call after a failure of any step.
    func stop() async {
        try? await client.shutdown()
        await controller.terminate()
        await server.terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The pools and the namespaces the Services go into (the embedded server refuses objects in a
    /// namespace that does not exist, as kube-apiserver does).
    private static func createLayout(with client: KubernetesClient) async throws {
        for namespace in OverlapLayout.namespaces {
            _ = try await client.create(.namespaces, namespace: nil, object: OverlapLayout.namespaceObject(namespace))
        }
        _ = try await client.create(
            .configMaps, namespace: OverlapLayout.configMapNamespace, object: OverlapLayout.configMap)
    }

    /// This process's environment without what would change the scenario: another kubeconfig, other
    /// ConfigMap names, LoadBalancer-class mode, and package-benchmark's `LD_PRELOAD` of its malloc-counting
    /// interposer, which would otherwise slow down every allocation of the processes under test.
    private static func childEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("KUBEVIP_") && key != "KUBECONFIG" && key != "LD_PRELOAD"
        }
    }
}
