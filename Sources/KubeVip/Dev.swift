import ArgumentParser
import CloudProvider
import Foundation
import KubernetesAPIServer
import KubernetesClient
import Logging
import NIOCore
import ServiceLifecycle

/// `kube-vip dev`: the embedded API server on loopback, so the project (and the seed's kubectl commands) can
/// be tried on a machine with no cluster. Objects live in a data directory so that a restart keeps them.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an embedded Kubernetes API server for development and print the KUBECONFIG to use.",
        discussion: """
            The server is an in-memory, Kubernetes-compatible API (discovery, list/watch, status, Leases, \
            Events) meant for development and tests; production runs against a real cluster. Objects are \
            kept in --data-dir so that a restart does not lose them, unless --ephemeral is given.

            The address allocator (the cloud-provider role) runs in the same process against it and, as \
            there is no node agent here, also fills status.loadBalancer.ingress, so `kubectl get svc` shows \
            the EXTERNAL-IP. Environment as for `kube-vip cloud-provider` (KUBEVIP_NAMESPACE, ...).
            """
    )

    @Option(help: "Address to listen on. Loopback by default: the server has no authentication.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 6443

    @Option(help: "Where objects and the kubeconfig are kept.")
    var dataDir: String = ".kube-vip-dev"

    @Flag(help: "Keep objects in memory only; nothing is read from or written to --data-dir except the kubeconfig.")
    var ephemeral = false

    @Flag(inversion: .prefixedNo, help: "Run the address allocator (the cloud-provider role) in this process.")
    var allocator = true

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "How log lines are written: json gives one JSON object per line, for log collectors.")
    var logFormat: LogFormat = .text

    func run() async throws {
        ProcessSetup.start(logLevel: logLevel, format: logFormat)
        let logger = Logger(label: "kube-vip.dev")
        if !["127.0.0.1", "::1", "localhost"].contains(host) {
            logger.warning(
                "listening on \(host): the embedded API server has no authentication; anyone who can reach it can change every object"
            )
        }

        let directory = URL(fileURLWithPath: dataDir, isDirectory: true).standardizedFileURL
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = StoreConfiguration(dataDirectory: ephemeral ? nil : directory.path)
        let server: EmbeddedAPIServer
        do {
            server = try EmbeddedAPIServer(
                configuration: APIServerConfiguration(host: host, port: port, store: store), logger: logger)
        } catch {
            throw ProcessSetup.fail(error)
        }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: server)]
        if allocator {
            var settings: CloudProviderSettings
            do {
                settings = try CloudProviderSettings(environment: ProcessInfo.processInfo.environment)
            } catch {
                throw ProcessSetup.fail(error)
            }
            settings.writeStatus = true
            settings.eventHost = "kube-vip-dev"
            // Listed after the server: a graceful shutdown stops the allocator first.
            services.append(.init(service: DevAllocator(server: server, host: host, settings: settings)))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                do {
                    try await group.run()
                } catch let error as IOError where error.errnoCode == EADDRINUSE {
                    throw ProcessSetup.fail(
                        message: "port \(port) on \(host) is in use; choose another with --port (0 picks a free one)")
                }
            }
            tasks.addTask {
                // A server that never listened has failed; the other task reports why.
                guard let boundPort = try? await server.listeningPort() else { return }
                let kubeconfig = directory.appendingPathComponent("kubeconfig")
                try Data(EmbeddedAPIServer.kubeconfig(host: host, port: boundPort).utf8)
                    .write(to: kubeconfig, options: .atomic)
                announce(port: boundPort, kubeconfig: kubeconfig, directory: directory)
            }
            try await tasks.waitForAll()
        }
    }

    /// The `export` line is alone on stdout so that scripts can `eval` it; everything else goes to stderr, as
    /// a log line when logs are JSON, so that a log collector reading stderr sees nothing but JSON.
    private func announce(port: Int, kubeconfig: URL, directory: URL) {
        let hostText = host.contains(":") ? "[\(host)]" : host
        let storage = ephemeral ? "in memory only (--ephemeral)" : "kept in \(directory.path)"
        if logFormat == .json {
            Logger(label: "kube-vip.dev").info(
                "Kubernetes API ready",
                metadata: ["url": "http://\(hostText):\(port)", "objects": "\(storage)", "kubeconfig": "\(kubeconfig.path)"])
        } else {
            FileHandle.standardError.write(
                Data(
                    """
                    kube-vip dev: Kubernetes API on http://\(hostText):\(port), objects \(storage).
                    Use it with:

                    """.utf8))
        }
        FileHandle.standardOutput.write(Data("export KUBECONFIG=\(kubeconfig.path)\n".utf8))
    }
}

/// The cloud-provider role against the embedded server, started once the server listens.
struct DevAllocator: Service {
    let server: EmbeddedAPIServer
    let host: String
    let settings: CloudProviderSettings

    func run() async throws {
        let port = try await server.listeningPort()
        let connectHost = ["0.0.0.0", "::", ""].contains(host) ? "127.0.0.1" : host
        let hostText = connectHost.contains(":") ? "[\(connectHost)]" : connectHost
        var configuration = ClientConfiguration(server: "http://\(hostText):\(port)", origin: "kube-vip dev")
        configuration.rateLimit = .unlimited
        configuration.userAgent = "kube-vip-swift/dev-allocator"
        let logger = Logger(label: "kube-vip.cloud-provider")
        try await KubernetesClient.withClient(configuration: configuration, logger: logger) { client in
            try await CloudProvider(settings: settings, client: client, election: nil, logger: logger).run()
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
