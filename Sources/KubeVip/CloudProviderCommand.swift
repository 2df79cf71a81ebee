import ArgumentParser
import CloudProvider
import Foundation
import KubernetesClient
import LeaderElection
import Logging
import ObservabilityServer
import ServiceLifecycle

/// `kube-vip cloud-provider`: the address allocator, a drop-in for kube-vip-cloud-provider (same ConfigMap,
/// environment variables, annotations, label and Lease), run as a Deployment with leader-elected replicas.
struct CloudProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud-provider",
        abstract: "Allocate LoadBalancer addresses from the kubevip ConfigMap's pools.",
        discussion: """
            Environment: KUBEVIP_NAMESPACE (kube-system) and KUBEVIP_CONFIG_MAP (kubevip) locate the pools; \
            KUBEVIP_ENABLE_LOADBALANCERCLASS=true serves only Services of class \
            KUBEVIP_CUSTOM_LOADBALANCERCLASS_NAME (kube-vip.io/kube-vip-class) instead of those without a class.
            """
    )

    @Option(help: "Path to a kubeconfig; default $KUBECONFIG, ~/.kube/config, then the in-cluster ServiceAccount.")
    var kubeconfig: String?

    @Flag(name: .customLong("OutSideCluster"), help: "Use $HOME/.kube/config (upstream's flag).")
    var outsideCluster = false

    @Option(name: .customLong("leader-elect"), help: "Elect a leader among replicas; only the leader allocates.")
    var leaderElect = true

    @Option(name: .customLong("leader-elect-resource-name"), help: "The Lease the replicas compete for.")
    var leaseName = "kube-vip-cloud-controller"

    @Option(name: .customLong("leader-elect-resource-namespace"), help: "The Lease's namespace.")
    var leaseNamespace = "kube-system"

    @Option(name: .customLong("leader-elect-lease-duration"), help: "How long followers wait before taking over an unrenewed Lease.")
    var leaseDuration = GoDuration(.seconds(15), text: "15s")

    @Option(name: .customLong("leader-elect-renew-deadline"), help: "How long the leader keeps writing without a successful renewal.")
    var renewDeadline = GoDuration(.seconds(10), text: "10s")

    @Option(name: .customLong("leader-elect-retry-period"), help: "How often to try to acquire or renew the Lease.")
    var retryPeriod = GoDuration(.seconds(2), text: "2s")

    @Option(help: "This replica's holderIdentity; default <hostname>_<random>.")
    var identity: String?

    @Flag(help: "Also fill status.loadBalancer.ingress (for setups without the kube-vip node agent).")
    var writeStatus = false

    @Option(name: .customLong("concurrent-service-syncs"), help: "How many Service writes may be in flight at once.")
    var writeConcurrency = 16

    @Option(name: .customLong("kube-api-qps"), help: "Sustained API requests per second (0: unlimited).")
    var queriesPerSecond: Double = 100

    @Option(name: .customLong("kube-api-burst"), help: "API request burst.")
    var burst = 200

    @Option(help: "Where /metrics, /healthz and /readyz are served (host:port; :port for every interface).")
    var httpAddress = ":10258"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "How log lines are written: json gives one JSON object per line, for log collectors.")
    var logFormat: LogFormat = .text

    func run() async throws {
        ProcessSetup.start(logLevel: logLevel, format: logFormat)
        let logger = Logger(label: "kube-vip.cloud-provider")
        let identity = identity ?? Self.defaultIdentity()

        var settings: CloudProviderSettings
        let address: BindAddress
        var clientConfiguration: ClientConfiguration
        let election: LeaderElectionConfiguration?
        do {
            settings = try CloudProviderSettings(environment: ProcessInfo.processInfo.environment)
            settings.writeStatus = writeStatus
            settings.writeConcurrency = writeConcurrency
            settings.eventHost = identity
            address = try BindAddress(parsing: httpAddress)
            let path = kubeconfig ?? (outsideCluster ? NSHomeDirectory() + "/.kube/config" : nil)
            clientConfiguration = try ConfigurationLoader.load(kubeconfigPath: path)
            clientConfiguration.rateLimit = queriesPerSecond > 0
                ? RateLimit(queriesPerSecond: queriesPerSecond, burst: burst) : .unlimited
            clientConfiguration.userAgent = "kube-vip-swift/cloud-provider"
            if leaderElect {
                let configuration = LeaderElectionConfiguration(
                    leaseName: leaseName, namespace: leaseNamespace, identity: identity,
                    leaseDuration: leaseDuration.duration, renewDeadline: renewDeadline.duration,
                    retryPeriod: retryPeriod.duration)
                try configuration.validate()
                election = configuration
            } else {
                election = nil
            }
        } catch {
            throw ProcessSetup.fail(error)
        }

        let client = try KubernetesClient(configuration: clientConfiguration, logger: logger)
        let registry = MetricsRegistry()
        registry.bootstrapGlobally()
        let provider = CloudProvider(
            settings: settings, client: client, election: election, metricsFactory: registry.factory, logger: logger)
        let health = HealthChecks()
        health.addLiveness("cloud-provider") { .ok }
        health.addReadiness("watches-synced") {
            provider.status.isReady ? .ok : .failing("waiting for the first list of Services and the ConfigMap")
        }
        let http = ObservabilityServer(address: address, metrics: registry, health: health, logger: logger)
        logger.info(
            "starting",
            metadata: [
                "identity": "\(identity)", "server": "\(clientConfiguration.server)",
                "leaderElection": "\(leaderElect ? "\(leaseNamespace)/\(leaseName)" : "off")",
                "classes": "\(settings.classSelection)", "http": "\(address)",
            ])
        // Listed before the provider: a graceful shutdown stops the provider first, and /metrics stays up meanwhile.
        try await ProcessSetup.run([.init(service: http), .init(service: provider)], client: client, logger: logger)
    }

    /// client-go's default: the host name plus a random suffix, so two replicas on one node still differ.
    static func defaultIdentity() -> String {
        let host = ProcessInfo.processInfo.hostName
        let suffix = UUID().uuidString.lowercased().prefix(8)
        return "\(host)_\(suffix)"
    }
}
