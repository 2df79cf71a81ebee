import ArgumentParser
import CloudProvider
import ClusterStatus
import Foundation
import KubernetesClient
import KubernetesModels
import Logging

/// `kube-vip status`: reads pools, Services, Leases and Events once and prints the report (ClusterStatus
/// computes it; this only reads the cluster and writes stdout).
///
/// Exit status: 0 once the cluster was read, whatever the report says (problems are reported, and a missing
/// ConfigMap is one of them); 1 when the cluster cannot be read; with `--fail-on-problem`, 2 when the report
/// has an error or a warning (notes never count), for scripts and CI gates.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show pools (capacity, in use, free) and LoadBalancer Services (address, pool, holder, problems).",
        discussion: """
            Reads the kubevip ConfigMap (KUBEVIP_NAMESPACE/KUBEVIP_CONFIG_MAP, default kube-system/kubevip), \
            every Service, Lease and Service Event, and reports per pool its use and per Service its address, \
            pool, holder node (kube-vip.io/vipHost, checked against its Lease) and problems: pending and why, \
            conflicts, addresses outside every pool, no holder. Services of another loadBalancerClass are left \
            out as the cloud provider leaves them (KUBEVIP_ENABLE_LOADBALANCERCLASS). Exits 0 once the cluster \
            was read, 1 when it cannot be read, and with --fail-on-problem 2 when there is an error or warning.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "Path to a kubeconfig; default $KUBECONFIG, ~/.kube/config, then the in-cluster ServiceAccount.")
    var kubeconfig: String?

    @Option(name: [.short, .long], help: "Output format: text or json.")
    var output: OutputFormat = .text

    @Option(name: [.short, .long], help: "List only this namespace's Services (pools still count every Service).")
    var namespace: String?

    @Option(help: "Namespace of the kubevip ConfigMap; default $KUBEVIP_NAMESPACE, else kube-system.")
    var configMapNamespace: String?

    @Option(help: "Name of the kubevip ConfigMap; default $KUBEVIP_CONFIG_MAP, else kubevip.")
    var configMapName: String?

    @Option(help: "Namespace of the node agents' global Lease (svc_election off).")
    var leaseNamespace = "kube-system"

    @Option(help: "Name of the node agents' global Lease (svc_leasename).")
    var leaseName = "plndr-svcs-lock"

    @Flag(help: "Exit 2 when the report has an error or a warning.")
    var failOnProblem = false

    func run() async throws {
        ProcessSetup.start(logLevel: .warning)
        let logger = Logger(label: "kube-vip.status")
        let settings: CloudProviderSettings
        var clientConfiguration: ClientConfiguration
        do {
            settings = try CloudProviderSettings(environment: ProcessInfo.processInfo.environment)
            clientConfiguration = try ConfigurationLoader.load(kubeconfigPath: kubeconfig)
            clientConfiguration.userAgent = "kube-vip-swift/status"
        } catch {
            throw ProcessSetup.fail(error)
        }
        let client: KubernetesClient
        do {
            client = try KubernetesClient(configuration: clientConfiguration, logger: logger)
        } catch {
            throw ProcessSetup.fail(error)
        }
        let input: StatusInput
        do {
            input = try await read(client, settings: settings)
        } catch {
            try? await client.shutdown()
            throw ProcessSetup.fail(error)
        }
        try? await client.shutdown()

        let report = StatusReport(input)
        print(output == .json ? report.json : report.text, terminator: "")
        if failOnProblem && report.summary.errors + report.summary.warnings > 0 {
            throw ExitCode(2)
        }
    }

    /// Services must be readable (there is no report without them); the ConfigMap, Leases and Events may be
    /// missing or forbidden, which the report says instead of failing.
    private func read(_ client: KubernetesClient, settings: CloudProviderSettings) async throws -> StatusInput {
        let configNamespace = configMapNamespace ?? settings.configMapNamespace
        let configName = configMapName ?? settings.configMapName
        var readProblems: [String] = []

        let services = try await client.listAll(.services, namespace: nil, as: KubernetesService.self).items

        let configMap: StatusInput.ConfigMapState
        do {
            let object = try await client.get(.configMaps, namespace: configNamespace, name: configName, as: ConfigMap.self)
            configMap = .found(object.data ?? [:])
        } catch KubernetesClientError.notFound {
            configMap = .missing
        } catch let error as KubernetesClientError where error.status != nil {
            configMap = .unreadable(error.description)
        }

        var leases: [Lease] = []
        do {
            leases = try await client.listAll(.leases, namespace: nil, as: Lease.self).items
        } catch let error as KubernetesClientError where error.status != nil {
            readProblems.append("Leases: \(error); holders are taken from kube-vip.io/vipHost alone")
        }

        var events: [Event] = []
        do {
            // Only Services' Events: a busy cluster holds far more about Pods, which the server leaves out
            // (kube-apiserver and the embedded server both select on involvedObject fields).
            events = try await client.listAll(
                .events, namespace: nil, query: ListQuery(fieldSelector: "involvedObject.kind=Service"), as: Event.self
            ).items
            .filter { $0.involvedObject.kind == "Service" }
        } catch let error as KubernetesClientError where error.status != nil {
            readProblems.append("Events: \(error); pending Services show no Event reason")
        }

        let loadBalancerClass: String? =
            switch settings.classSelection {
            case .unclassified: nil
            case .only(let name): name
            }
        return StatusInput(
            configMapNamespace: configNamespace, configMapName: configName, configMap: configMap,
            services: services, leases: leases, events: events, loadBalancerClass: loadBalancerClass,
            namespaceFilter: namespace, globalLeaseNamespace: leaseNamespace, globalLeaseName: leaseName,
            readProblems: readProblems, now: Date())
    }
}
