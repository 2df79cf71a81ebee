import KubernetesModels

/// What `kube-vip manifest daemonset|pod|rbac` is told: upstream's flags that matter in Service mode with
/// ARP, under upstream's names, turned into the environment variables `kube-vip manager` reads.
public struct NodeAgentManifestOptions: Sendable, Hashable {
    /// This binary's release: the default image tag and the `app.kubernetes.io/version` label.
    public var version: String
    /// nil for `kube-vip:<version>`, the tag the Containerfile's build command gives the image.
    public var image: String?
    public var namespace = "kube-system"
    /// `vip_interface`; nil leaves it to the agent (the interface whose subnet holds the address).
    public var interface: String?
    /// `vip_servicesinterface`: a name or `auto`.
    public var servicesInterface: String?
    /// `svc_enable`; the agent serves Services only, so this must be set.
    public var services = false
    /// `vip_arp`; the only advertisement implemented, so this must be set.
    public var arp = false
    /// `vip_leaderelection`: upstream's control-plane election switch, written as upstream writes it. In ARP
    /// Service mode the Services are elected either way (one global Lease, or one per Service).
    public var leaderElection = false
    /// `svc_election`: a Lease per Service instead of one for all.
    public var servicesElection = false
    /// `svc_leasename`: the global Lease, `name` or `namespace/name`; nil for `plndr-svcs-lock`.
    public var servicesLeaseName: String?
    /// `serviceAccountName: kube-vip`; otherwise the node's `/etc/kubernetes/admin.conf` is mounted.
    public var inCluster = false
    /// Control-plane tolerations and a required affinity to control-plane nodes.
    public var taint = false
    /// `vip_leaseduration`, `vip_renewdeadline`, `vip_retryperiod`, whole seconds.
    public var leaseDuration = 15
    public var leaseRenewDuration = 10
    public var leaseRetry = 2
    /// `vip_arpRate`, milliseconds between gratuitous ARP/NA rounds; nil for the agent's 3000.
    public var arpRate: Int?
    /// `prometheus_server`: where /metrics, /healthz and /readyz are served; empty turns them off.
    public var prometheusHTTPServer = ":2112"
    /// `health_check_port`: a second port for the probes; nil for none.
    public var healthCheckPort: Int?
    /// `lb_class_name` and `lb_class_only`.
    public var lbClassName: String?
    public var lbClassOnly = false
    /// `enable_upnp`.
    public var enableUPnP = false
    /// `--withRBAC` (not upstream's): the `manifest rbac` objects before the DaemonSet, for a one-file install.
    public var withRBAC = false

    public init(version: String) {
        self.version = version
    }

    public static let defaultLeaseName = "plndr-svcs-lock"
    public static let serviceAccountName = "kube-vip"
    public static let daemonSetName = "kube-vip-ds"
    public static let podName = "kube-vip"
    public static let containerName = "kube-vip"

    public var resolvedImage: String { image ?? "kube-vip:\(version)" }

    /// Refuses what `kube-vip manager` would refuse at start-up.
    public func validate() throws(ManifestError) {
        guard services else {
            throw ManifestError(
                "--services is required: the node agent serves LoadBalancer Services only (the control-plane VIP is not implemented)")
        }
        guard arp else {
            throw ManifestError("--arp is required: ARP/NDP is the only advertisement mode implemented (no BGP, routing table or WireGuard)")
        }
        guard !namespace.isEmpty else { throw ManifestError("--namespace must not be empty") }
        guard leaseRetry > 0 else { throw ManifestError("--leaseRetry must be at least 1 second") }
        guard leaseRenewDuration * 5 > leaseRetry * 6 else {
            throw ManifestError(
                "--leaseRenewDuration (\(leaseRenewDuration)) must be longer than 1.2 × --leaseRetry (\(leaseRetry)), or the leader gets no second chance to renew")
        }
        guard leaseDuration > leaseRenewDuration else {
            throw ManifestError(
                "--leaseDuration (\(leaseDuration)) must be longer than --leaseRenewDuration (\(leaseRenewDuration)), or a peer may take over while the leader still announces")
        }
        if let arpRate, arpRate < 500 {
            throw ManifestError("--arpRate \(arpRate) is under 500 ms, which the agent replaces with 3000; give 500 or more")
        }
        if !prometheusHTTPServer.isEmpty {
            _ = try ListenAddress(parsing: prometheusHTTPServer, flag: "--prometheusHTTPServer")
        }
        if let healthCheckPort, !(1024...65535).contains(healthCheckPort) {
            throw ManifestError("--healthCheckPort \(healthCheckPort) must be from 1024 to 65535")
        }
        if servicesElection && servicesLeaseName != nil {
            throw ManifestError("--servicesLeaseName names the global Lease, which --servicesElection does not use")
        }
        _ = try leaseNamespace()
    }

    /// The namespace the global Lease lives in: `svc_leasename`'s own, else the pod's.
    public func leaseNamespace() throws(ManifestError) -> String {
        guard let name = servicesLeaseName else { return namespace }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !name.isEmpty: return namespace
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty: return String(parts[0])
        default: throw ManifestError("--servicesLeaseName \(name) must be a name or namespace/name")
        }
    }

    /// What the node agent may do, scoped as these options use the API.
    public func grants() throws(ManifestError) -> [Grant] {
        Permissions.nodeAgent(watchNamespace: nil, leaseNamespace: try leaseNamespace(), perServiceElection: servicesElection)
    }

    /// The container's environment, in the order upstream's generator writes it.
    public var environment: [YAMLNode] {
        var env: [YAMLNode] = [
            Objects.env("vip_arp", "true"),
            .fields([
                "name": "vip_nodename",
                "valueFrom": .fields(["fieldRef": .fields(["fieldPath": "spec.nodeName"])]),
            ]),
        ]
        if let interface { env.append(Objects.env("vip_interface", interface)) }
        if let servicesInterface { env.append(Objects.env("vip_servicesinterface", servicesInterface)) }
        env.append(Objects.env("svc_enable", "true"))
        if servicesElection {
            env.append(Objects.env("svc_election", "true"))
        } else {
            env.append(Objects.env("svc_leasename", servicesLeaseName ?? Self.defaultLeaseName))
        }
        if leaderElection { env.append(Objects.env("vip_leaderelection", "true")) }
        env.append(Objects.env("vip_leaseduration", String(leaseDuration)))
        env.append(Objects.env("vip_renewdeadline", String(leaseRenewDuration)))
        env.append(Objects.env("vip_retryperiod", String(leaseRetry)))
        if let arpRate { env.append(Objects.env("vip_arpRate", String(arpRate))) }
        if let lbClassName { env.append(Objects.env("lb_class_name", lbClassName)) }
        if lbClassOnly { env.append(Objects.env("lb_class_only", "true")) }
        if enableUPnP { env.append(Objects.env("enable_upnp", "true")) }
        env.append(Objects.env("prometheus_server", prometheusHTTPServer))
        if let healthCheckPort { env.append(Objects.env("health_check_port", String(healthCheckPort))) }
        return env
    }

    /// The flags that reproduce these options, in a fixed order, for the generated file's header.
    public var flags: [String] {
        var flags: [String] = []
        if namespace != "kube-system" { flags += ["--namespace", namespace] }
        if let interface { flags += ["--interface", interface] }
        if let servicesInterface { flags += ["--serviceInterface", servicesInterface] }
        if services { flags.append("--services") }
        if arp { flags.append("--arp") }
        if leaderElection { flags.append("--leaderElection") }
        if servicesElection { flags.append("--servicesElection") }
        if let servicesLeaseName { flags += ["--servicesLeaseName", servicesLeaseName] }
        if inCluster { flags.append("--inCluster") }
        if taint { flags.append("--taint") }
        if leaseDuration != 15 { flags += ["--leaseDuration", String(leaseDuration)] }
        if leaseRenewDuration != 10 { flags += ["--leaseRenewDuration", String(leaseRenewDuration)] }
        if leaseRetry != 2 { flags += ["--leaseRetry", String(leaseRetry)] }
        if let arpRate { flags += ["--arpRate", String(arpRate)] }
        if prometheusHTTPServer != ":2112" { flags += ["--prometheusHTTPServer", prometheusHTTPServer] }
        if let healthCheckPort { flags += ["--healthCheckPort", String(healthCheckPort)] }
        if let lbClassName { flags += ["--lbClassName", lbClassName] }
        if lbClassOnly { flags.append("--lbClassOnly") }
        if enableUPnP { flags.append("--enableUPNP") }
        if withRBAC { flags.append("--withRBAC") }
        if let image { flags += ["--image", image] }
        return flags
    }

    func labels(name: String) -> [(String, String)] {
        [
            ("app.kubernetes.io/name", name), ("app.kubernetes.io/version", version),
            ("app.kubernetes.io/component", "node-agent"), ("app.kubernetes.io/part-of", "kube-vip"),
        ]
    }
}

/// The node agent's manifests: `kube-vip manifest daemonset`, `pod` and `rbac`.
public enum NodeAgentManifest {
    public static func daemonSet(_ options: NodeAgentManifestOptions) throws(ManifestError) -> ManifestDocument {
        try options.validate()
        let selector: YAMLNode = .fields(["app.kubernetes.io/name": .string(NodeAgentManifestOptions.daemonSetName)])
        let labels = options.labels(name: NodeAgentManifestOptions.daemonSetName)
        let daemonSet = Objects.object(
            apiVersion: "apps/v1", kind: "DaemonSet",
            metadata: Objects.metadata(name: NodeAgentManifestOptions.daemonSetName, namespace: options.namespace, labels: labels),
            rest: [
                (
                    "spec",
                    .fields([
                        "selector": .fields(["matchLabels": selector]),
                        "updateStrategy": .fields(["type": "RollingUpdate", "rollingUpdate": .fields(["maxUnavailable": 1])]),
                        "template": .fields([
                            "metadata": .fields(pairs: [("labels", .fields(pairs: labels.map { ($0.0, .string($0.1)) }))]),
                            "spec": try podSpec(options, staticPod: false),
                        ]),
                    ])
                )
            ])
        let rbacObjects = options.withRBAC ? try rbac(options).objects : []
        return ManifestDocument(
            header: generatedHeader(
                command: shellCommand(["kube-vip", "manifest", "daemonset"] + options.flags), version: options.version,
                purpose: options.withRBAC
                    ? "The kube-vip node agent on every node (Service mode, ARP/NDP), its ServiceAccount and RBAC."
                    : "The kube-vip node agent on every node (Service mode, ARP/NDP)."),
            objects: rbacObjects + [daemonSet])
    }

    /// A static Pod for `/etc/kubernetes/manifests/` on a control-plane node, reaching the API server through
    /// the node's admin.conf, as upstream's `manifest pod`.
    public static func pod(_ options: NodeAgentManifestOptions) throws(ManifestError) -> ManifestDocument {
        try options.validate()
        let pod = Objects.object(
            apiVersion: "v1", kind: "Pod",
            metadata: Objects.metadata(name: NodeAgentManifestOptions.podName, namespace: options.namespace,
                labels: options.labels(name: NodeAgentManifestOptions.podName)),
            rest: [("spec", try podSpec(options, staticPod: true))])
        let rbacObjects = options.withRBAC ? try rbac(options).objects : []
        return ManifestDocument(
            header: generatedHeader(
                command: shellCommand(["kube-vip", "manifest", "pod"] + options.flags), version: options.version,
                purpose: "The kube-vip node agent as a static Pod (Service mode, ARP/NDP)."),
            objects: rbacObjects + [pod])
    }

    /// The ServiceAccount `kube-vip` and what it may do (`system:kube-vip-role`, `system:kube-vip-binding`).
    public static func rbac(_ options: NodeAgentManifestOptions) throws(ManifestError) -> ManifestDocument {
        var flags: [String] = []
        if options.namespace != "kube-system" { flags += ["--namespace", options.namespace] }
        if options.servicesElection { flags.append("--servicesElection") }
        if let name = options.servicesLeaseName { flags += ["--servicesLeaseName", name] }
        let manifest = RBACManifest(
            serviceAccount: NodeAgentManifestOptions.serviceAccountName, namespace: options.namespace,
            roleName: "system:kube-vip-role", bindingName: "system:kube-vip-binding", grants: try options.grants(),
            labels: [("app.kubernetes.io/name", "kube-vip"), ("app.kubernetes.io/part-of", "kube-vip")])
        return ManifestDocument(
            header: generatedHeader(
                command: shellCommand(["kube-vip", "manifest", "rbac"] + flags), version: options.version,
                purpose: "What the kube-vip node agent may do in the cluster, and nothing more."),
            objects: manifest.objects)
    }

    static func podSpec(_ options: NodeAgentManifestOptions, staticPod: Bool) throws(ManifestError) -> YAMLNode {
        let adminConf = "/etc/kubernetes/admin.conf"
        let mountsAdminConf = !options.inCluster
        var ports: [YAMLNode] = []
        var probePort: YAMLNode?
        var probeHost: String?
        if !options.prometheusHTTPServer.isEmpty {
            let address = try ListenAddress(parsing: options.prometheusHTTPServer, flag: "--prometheusHTTPServer")
            ports.append(.fields(["name": "metrics", "containerPort": .int(address.port), "protocol": "TCP"]))
            probePort = "metrics"
            probeHost = address.probeHost
        }
        if let healthPort = options.healthCheckPort {
            ports.append(.fields(["name": "health", "containerPort": .int(healthPort), "protocol": "TCP"]))
            if probePort == nil { probePort = "health" }
        }
        let container: YAMLNode = .fields([
            "name": .string(NodeAgentManifestOptions.containerName),
            "image": .string(options.resolvedImage),
            "imagePullPolicy": "IfNotPresent",
            "args": ["manager"],
            "env": .sequence(options.environment),
            "ports": ports.isEmpty ? nil : .sequence(ports),
            "livenessProbe": probePort.map {
                Objects.httpProbe(path: "/healthz", port: $0, host: probeHost, initialDelay: 10, period: 10, failures: 3)
            },
            "readinessProbe": probePort.map {
                Objects.httpProbe(path: "/readyz", port: $0, host: probeHost, initialDelay: 5, period: 5, failures: 3)
            },
            "resources": Objects.resources(cpuRequest: "50m", memoryRequest: "64Mi", cpuLimit: "500m", memoryLimit: "256Mi"),
            "securityContext": .fields([
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "capabilities": .fields(["add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]]),
                "seccompProfile": .fields(["type": "RuntimeDefault"]),
            ]),
            "volumeMounts": mountsAdminConf
                ? .sequence([.fields(["name": "kubeconfig", "mountPath": .string(adminConf), "readOnly": true])]) : nil,
        ])
        let affinity: YAMLNode? =
            options.taint
            ? .fields([
                "nodeAffinity": .fields([
                    "requiredDuringSchedulingIgnoredDuringExecution": .fields([
                        "nodeSelectorTerms": .sequence(Objects.controlPlaneTerms)
                    ])
                ])
            ]) : nil
        let tolerations: YAMLNode? =
            options.taint
            ? .sequence([
                .fields(["operator": "Exists", "effect": "NoSchedule"]),
                .fields(["operator": "Exists", "effect": "NoExecute"]),
            ]) : nil
        return .fields([
            "affinity": staticPod ? nil : affinity,
            "containers": .sequence([container]),
            "hostAliases": mountsAdminConf
                ? .sequence([.fields(["ip": "127.0.0.1", "hostnames": ["kubernetes"]])]) : nil,
            "hostNetwork": true,
            "serviceAccountName": options.inCluster ? .string(NodeAgentManifestOptions.serviceAccountName) : nil,
            "tolerations": staticPod ? nil : tolerations,
            "volumes": mountsAdminConf
                ? .sequence([
                    .fields(["name": "kubeconfig", "hostPath": .fields(["path": .string(adminConf), "type": "File"])])
                ]) : nil,
        ])
    }
}
