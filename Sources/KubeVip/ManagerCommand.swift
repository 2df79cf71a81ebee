import ArgumentParser
import Foundation
import KubernetesClient
import LinuxNetwork
import Logging
import NodeAgent
import ObservabilityServer
import ServiceLifecycle
import UPnP
import UPnPSockets

/// `kube-vip manager`: the node agent, a drop-in for upstream's `kube-vip manager` in Service mode with ARP:
/// configured by the same environment variables its DaemonSet manifests set (`vip_interface`, `vip_arp`,
/// `svc_enable`, `svc_election`, `vip_leaseduration`, ...), holding the same Leases and writing the same
/// status and annotations.
struct ManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manager",
        abstract: "Run the node agent: serve LoadBalancer addresses on this node's interface with ARP/NDP.",
        discussion: """
            Configured through upstream kube-vip's environment variables: svc_enable=true and vip_arp=true \
            (required), vip_interface, vip_servicesinterface, vip_nodename, svc_election, svc_leasename, \
            svc_namespace, lb_class_name, lb_class_only, lb_class_legacy_handling, vip_leaseduration, \
            vip_renewdeadline, vip_retryperiod, vip_arpRate, disable_service_updates, prometheus_server, \
            health_check_port, k8s_config_file, enable_upnp (or enableUPNP). Needs CAP_NET_ADMIN and CAP_NET_RAW.
            """
    )

    @Option(help: "Path to a kubeconfig (overrides k8s_config_file); default $KUBECONFIG, /etc/kubernetes/admin.conf, ~/.kube/config, then in-cluster.")
    var kubeconfig: String?

    @Option(name: .customLong("kube-api-qps"), help: "Sustained API requests per second (0: unlimited); status writes after a take-over are paced by it.")
    var queriesPerSecond: Double = 50

    @Option(name: .customLong("kube-api-burst"), help: "API request burst.")
    var burst = 100

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "How log lines are written: json gives one JSON object per line, for log collectors.")
    var logFormat: LogFormat = .text

    func run() async throws {
        ProcessSetup.start(logLevel: logLevel, format: logFormat)
        let logger = Logger(label: "kube-vip.manager")
        let environment = ProcessInfo.processInfo.environment

        let settings: AgentSettings
        var clientConfiguration: ClientConfiguration
        let metricsAddress: BindAddress?
        let driver: LinuxNetworkDriver
        do {
            let podNamespace = try? String(
                contentsOfFile: InClusterConfiguration.defaultServiceAccountDirectory + "/namespace", encoding: .utf8)
            settings = try AgentSettings(
                environment: environment, hostName: ProcessInfo.processInfo.hostName,
                podNamespace: podNamespace?.trimmingCharacters(in: .whitespacesAndNewlines))
            clientConfiguration = try ConfigurationLoader.load(kubeconfigPath: Self.kubeconfigPath(kubeconfig ?? settings.kubeconfigPath))
            clientConfiguration.userAgent = "kube-vip-swift/manager"
            clientConfiguration.rateLimit = queriesPerSecond > 0
                ? RateLimit(queriesPerSecond: queriesPerSecond, burst: burst) : .unlimited
            metricsAddress = try settings.metricsAddress.map { try BindAddress(parsing: $0) }
            driver = try LinuxNetworkDriver(logger: logger)
        } catch {
            throw ProcessSetup.fail(error)
        }

        let client = try KubernetesClient(configuration: clientConfiguration, logger: logger)
        let registry = MetricsRegistry()
        registry.bootstrapGlobally()
        let gatewayControl: (any InternetGatewayControl)? =
            settings.enableUPnP ? InternetGatewayClient(network: SocketUPnPNetwork(logger: logger)) : nil
        let agent = NodeAgent(
            settings: settings, client: client, driver: driver, gatewayControl: gatewayControl,
            metricsFactory: registry.factory, logger: logger)
        let health = HealthChecks()
        health.addLiveness("node-agent") { .ok }
        health.addReadiness("watches-synced") {
            agent.status.isReady ? .ok : .failing("waiting for the first list of Services and EndpointSlices")
        }
        // Listed before the agent: a graceful shutdown stops the agent first, and /metrics stays up meanwhile.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let metricsAddress {
            services.append(.init(service: ObservabilityServer(address: metricsAddress, metrics: registry, health: health, logger: logger)))
        }
        if let port = settings.healthCheckPort {
            services.append(
                .init(service: ObservabilityServer(address: BindAddress(host: "", port: port), metrics: registry, health: health, logger: logger)))
        }
        services.append(.init(service: agent))
        logger.info(
            "starting",
            metadata: [
                "node": "\(settings.nodeName)", "server": "\(clientConfiguration.server)",
                "election": "\(settings.election)", "interface": "\(settings.interface ?? "auto")",
                "metrics": "\(settings.metricsAddress ?? "off")", "upnp": "\(settings.enableUPnP ? "on" : "off")",
            ])
        try await ProcessSetup.run(services, client: client, logger: logger)
    }

    /// Upstream's search puts the control-plane node's admin.conf before ~/.kube/config.
    static func kubeconfigPath(_ explicit: String?) -> String? {
        if let explicit, !explicit.isEmpty { return explicit }
        if ProcessInfo.processInfo.environment["KUBECONFIG"]?.isEmpty == false { return nil }
        let adminConf = "/etc/kubernetes/admin.conf"
        return FileManager.default.isReadableFile(atPath: adminConf) ? adminConf : nil
    }
}
