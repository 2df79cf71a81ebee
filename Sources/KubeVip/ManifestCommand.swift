import ArgumentParser
import Foundation
import Manifests

/// `kube-vip manifest daemonset|pod|rbac|cloud-provider`: prints the YAML that installs a role, like upstream's
/// `kube-vip manifest` with the same flags. Generation lives in Manifests (pure values, tested without a
/// process); this only reads flags and writes the text.
struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Print the Kubernetes manifests that install kube-vip.",
        discussion: """
            Upstream kube-vip's flags for Service mode with ARP are accepted under the same names; flags for what \
            this implementation does not do (--bgp, --controlplane, --vip, --address, ...) are refused with the \
            reason rather than ignored.
            """,
        subcommands: [DaemonSet.self, Pod.self, RBAC.self, CloudProviderManifestCommand.self]
    )

    struct DaemonSet: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "daemonset", abstract: "The node agent as a DaemonSet (kube-vip-ds).")

        @OptionGroup var flags: NodeAgentFlags

        func document() throws(ManifestError) -> ManifestDocument {
            try NodeAgentManifest.daemonSet(flags.options())
        }

        func run() throws {
            try ManifestCommand.emit(document())
            flags.remindAboutRBAC(flags.options())
        }
    }

    struct Pod: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pod", abstract: "The node agent as a static Pod for /etc/kubernetes/manifests.")

        @OptionGroup var flags: NodeAgentFlags

        func document() throws(ManifestError) -> ManifestDocument {
            try NodeAgentManifest.pod(flags.options())
        }

        func run() throws {
            try ManifestCommand.emit(document())
            flags.remindAboutRBAC(flags.options())
        }
    }

    struct RBAC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rbac",
            abstract: "The node agent's ServiceAccount (kube-vip), ClusterRole/Role and bindings.",
            discussion: "Give the same --namespace, --servicesElection and --servicesLeaseName as to daemonset or pod.")

        @OptionGroup var flags: NodeAgentFlags

        func document() throws(ManifestError) -> ManifestDocument {
            try NodeAgentManifest.rbac(flags.options(requireMode: false))
        }

        func run() throws {
            try ManifestCommand.emit(document())
        }
    }

    struct CloudProviderManifestCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cloud-provider",
            abstract: "The cloud provider: ServiceAccount, RBAC and a Deployment with leader-elected replicas.")

        @Option(name: .customLong("namespace"), help: "Where the Deployment, its ServiceAccount and its Lease live.")
        var namespace = "kube-system"

        @Option(name: .customLong("configMapNamespace"), help: "The pools ConfigMap's namespace (KUBEVIP_NAMESPACE).")
        var configMapNamespace = "kube-system"

        @Option(name: .customLong("configMapName"), help: "The pools ConfigMap's name (KUBEVIP_CONFIG_MAP).")
        var configMapName = "kubevip"

        @Flag(name: .customLong("lbClassOnly"), help: "Serve only Services of the load balancer class (KUBEVIP_ENABLE_LOADBALANCERCLASS).")
        var loadBalancerClassOnly = false

        @Option(
            name: .customLong("lbClassName"),
            help: "The class served with --lbClassOnly (KUBEVIP_CUSTOM_LOADBALANCERCLASS_NAME; default kube-vip.io/kube-vip-class).")
        var loadBalancerClassName: String?

        @Flag(name: .customLong("writeStatus"), help: "Also fill status.loadBalancer.ingress (no node agent).")
        var writeStatus = false

        @Option(help: "Replicas; one leads and allocates, the others stand by.")
        var replicas = 2

        @Option(help: "The container image; default kube-vip:\(KubeVipVersion.current).")
        var image: String?

        func run() throws {
            try ManifestCommand.emit(document())
        }

        func document() throws(ManifestError) -> ManifestDocument {
            var options = CloudProviderManifestOptions(version: KubeVipVersion.current)
            options.namespace = namespace
            options.configMapNamespace = configMapNamespace
            options.configMapName = configMapName
            options.loadBalancerClassOnly = loadBalancerClassOnly
            options.loadBalancerClassName = loadBalancerClassName
            options.writeStatus = writeStatus
            options.replicas = replicas
            options.image = image
            return try CloudProviderManifest.document(options)
        }
    }

    /// Any `manifest` subcommand's document, for tests that parse a command line in-process.
    static func document(arguments: [String]) throws -> ManifestDocument {
        switch try parseAsRoot(arguments) {
        case let command as DaemonSet: return try command.document()
        case let command as Pod: return try command.document()
        case let command as RBAC: return try command.document()
        case let command as CloudProviderManifestCommand: return try command.document()
        default: throw ValidationError("not a manifest subcommand: \(arguments.joined(separator: " "))")
        }
    }

    /// Prints the document, or turns a generator's refusal into a usage error with its reason.
    static func emit(_ generate: @autoclosure () throws(ManifestError) -> ManifestDocument) throws {
        // The document is built before anything is printed, so a refusal never leaves half a manifest.
        do {
            print(try generate().yaml, terminator: "")
        } catch {
            throw ValidationError(error.message)
        }
    }
}

/// Upstream's `kube-vip manifest` flags that matter for the node agent in Service mode.
struct NodeAgentFlags: ParsableArguments {
    @Option(name: .customLong("interface"), help: "The nodes' interface for addresses (vip_interface); default: the one whose subnet holds each address.")
    var interface: String?

    @Option(name: .customLong("serviceInterface"), help: "Interface for Service addresses (vip_servicesinterface), or auto.")
    var servicesInterface: String?

    @Flag(name: .customLong("services"), help: "Serve LoadBalancer Services (svc_enable); required.")
    var services = false

    @Flag(name: .customLong("arp"), help: "Announce with ARP/NDP (vip_arp); required.")
    var arp = false

    @Flag(name: .customLong("leaderElection"), help: "Write vip_leaderelection=true as upstream does (Services are elected in ARP mode either way).")
    var leaderElection = false

    @Flag(name: .customLong("servicesElection"), help: "A Lease per Service (svc_election) instead of one for all.")
    var servicesElection = false

    @Option(name: .customLong("servicesLeaseName"), help: "The global Lease, name or namespace/name (svc_leasename; default plndr-svcs-lock).")
    var servicesLeaseName: String?

    @Flag(name: .customLong("inCluster"), help: "Use the kube-vip ServiceAccount instead of the node's /etc/kubernetes/admin.conf.")
    var inCluster = false

    @Flag(name: .customLong("taint"), help: "Run on control-plane nodes only (required affinity and tolerations).")
    var taint = false

    @Option(name: [.customLong("namespace"), .customShort("n")], help: "Namespace of the pods, ServiceAccount and global Lease.")
    var namespace = "kube-system"

    @Option(name: .customLong("leaseDuration"), help: "Seconds before an unrenewed Lease can be taken (vip_leaseduration).")
    var leaseDuration = 15

    @Option(name: .customLong("leaseRenewDuration"), help: "Seconds a holder keeps announcing without renewing (vip_renewdeadline).")
    var leaseRenewDuration = 10

    @Option(name: .customLong("leaseRetry"), help: "Seconds between Lease attempts (vip_retryperiod).")
    var leaseRetry = 2

    @Option(name: .customLong("arpRate"), help: "Milliseconds between gratuitous ARP/NA rounds (vip_arpRate; default 3000).")
    var arpRate: Int?

    @Option(name: .customLong("prometheusHTTPServer"), help: "Where /metrics, /healthz and /readyz listen (prometheus_server); empty for off.")
    var prometheusHTTPServer = ":2112"

    @Option(name: .customLong("healthCheckPort"), help: "A second port for the probes (health_check_port).")
    var healthCheckPort: Int?

    @Option(name: .customLong("lbClassName"), help: "The load balancer class served (lb_class_name).")
    var lbClassName: String?

    @Flag(name: .customLong("lbClassOnly"), help: "Ignore Services without a class (lb_class_only).")
    var lbClassOnly = false

    @Flag(name: .customLong("enableUPNP"), help: "Forward annotated Services' ports on the UPnP gateway (enable_upnp).")
    var enableUPnP = false

    @Flag(name: .customLong("withRBAC"), help: "Print the `manifest rbac` objects first, for a one-file install (not upstream's).")
    var withRBAC = false

    @Option(help: "The container image; default kube-vip:\(KubeVipVersion.current).")
    var image: String?

    /// Everything else, so that upstream's flags for features not implemented here get a reason instead of
    /// "unknown option".
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var unrecognized: [String] = []

    /// Upstream flags for what this implementation does not do, with what they would have asked for.
    static let unsupportedUpstreamFlags: [String: String] = [
        "controlplane": "the control-plane VIP (cp_enable)",
        "vip": "a control-plane VIP address",
        "address": "a control-plane VIP address",
        "port": "the control-plane VIP port",
        "cidr": "the control-plane VIP prefix (vip_cidr)",
        "vipSubnet": "VIP prefix lengths (vip_subnet)",
        "leaseName": "the control-plane Lease (vip_leasename)",
        "ddns": "dynamic DNS for the control-plane VIP",
        "bgp": "BGP advertisement (bgp_enable)",
        "bgpRouterID": "BGP", "bgpRouterInterface": "BGP", "localAS": "BGP", "peerAS": "BGP", "peerAddress": "BGP",
        "peerPass": "BGP", "bgppeers": "BGP", "sourceIF": "BGP", "sourceIP": "BGP",
        "table": "routing-table mode (vip_routingtable)",
        "tableID": "routing-table mode", "tableType": "routing-table mode",
        "enableLoadBalancer": "the IPVS load balancer (lb_enable)",
        "lbPort": "the IPVS load balancer", "lbForwardingMethod": "the IPVS load balancer",
        "enableNodeLabeling": "node labelling (enable_node_labeling)",
        "onlyAllowTrafficServicePorts": "Service port filtering (enable_service_security)",
        "enableEndpoints": "core/v1 Endpoints (EndpointSlices are always used)",
        "egress": "egress SNAT", "egressPodCidr": "egress SNAT", "egressServiceCidr": "egress SNAT",
        "dhcpMode": "dhcp_mode (a Service's ipFamilies decide)",
        "dnsMode": "hostnames in kube-vip.io/loadbalancerIPs (dns_mode)",
        "preserveVipOnLeadershipLoss": "vip_preserve_on_leadership_loss",
        "k8sConfigPath": "k8s_config_file (the manifests mount /etc/kubernetes/admin.conf or use --inCluster)",
        "perServiceElectionOnDemand": "per_service_election_on_demand",
        "provider-config": "the Equinix Metal provider", "metal": "the Equinix Metal provider",
    ]

    func validate() throws {
        for argument in unrecognized {
            guard argument.hasPrefix("-") else {
                throw ValidationError("unexpected argument \(argument)")
            }
            var name = argument.drop { $0 == "-" }
            if let equals = name.firstIndex(of: "=") { name = name[..<equals] }
            if let feature = Self.unsupportedUpstreamFlags[String(name)] {
                throw ValidationError(
                    "--\(name) is upstream kube-vip's flag for \(feature), which this implementation does not support "
                        + "(it serves LoadBalancer Services with ARP/NDP only)")
            }
            throw ValidationError("unknown option \(argument)")
        }
    }

    /// The generator's options; `requireMode` is off for `rbac`, which does not need --services --arp.
    func options(requireMode: Bool = true) -> NodeAgentManifestOptions {
        var options = NodeAgentManifestOptions(version: KubeVipVersion.current)
        options.interface = interface
        options.servicesInterface = servicesInterface
        options.services = services || !requireMode
        options.arp = arp || !requireMode
        options.leaderElection = leaderElection
        options.servicesElection = servicesElection
        options.servicesLeaseName = servicesLeaseName
        options.inCluster = inCluster
        options.taint = taint
        options.namespace = namespace
        options.leaseDuration = leaseDuration
        options.leaseRenewDuration = leaseRenewDuration
        options.leaseRetry = leaseRetry
        options.arpRate = arpRate
        options.prometheusHTTPServer = prometheusHTTPServer
        options.healthCheckPort = healthCheckPort
        options.lbClassName = lbClassName
        options.lbClassOnly = lbClassOnly
        options.enableUPnP = enableUPnP
        options.withRBAC = withRBAC
        options.image = image
        return options
    }

    /// With `--inCluster` the pods authenticate as the kube-vip ServiceAccount, which exists only once the
    /// RBAC objects are applied too.
    func remindAboutRBAC(_ options: NodeAgentManifestOptions) {
        guard options.inCluster, !options.withRBAC else { return }
        var command = ["kube-vip", "manifest", "rbac"]
        if options.namespace != "kube-system" { command += ["--namespace", options.namespace] }
        if options.servicesElection { command.append("--servicesElection") }
        if let name = options.servicesLeaseName { command += ["--servicesLeaseName", name] }
        let note = "note: --inCluster runs as the ServiceAccount kube-vip; apply `\(command.joined(separator: " "))` too (or add --withRBAC)\n"
        FileHandle.standardError.write(Data(note.utf8))
    }
}
