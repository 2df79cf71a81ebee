import KubernetesModels

/// What `kube-vip manifest cloud-provider` is told. Names follow the `kube-vip cloud-provider` flags and the
/// environment variables it reads (`KUBEVIP_NAMESPACE`, `KUBEVIP_CONFIG_MAP`, ...), which are written only
/// when they differ from the defaults.
public struct CloudProviderManifestOptions: Sendable, Hashable {
    public var version: String
    /// nil for `kube-vip:<version>`.
    public var image: String?
    /// Where the Deployment, its ServiceAccount and its Lease live.
    public var namespace = "kube-system"
    /// `KUBEVIP_NAMESPACE`: the pools ConfigMap's namespace.
    public var configMapNamespace = "kube-system"
    /// `KUBEVIP_CONFIG_MAP`: the pools ConfigMap's name.
    public var configMapName = "kubevip"
    /// `KUBEVIP_ENABLE_LOADBALANCERCLASS` and `KUBEVIP_CUSTOM_LOADBALANCERCLASS_NAME`.
    public var loadBalancerClassOnly = false
    public var loadBalancerClassName: String?
    /// `--write-status`, which also needs `services/status`.
    public var writeStatus = false
    public var replicas = 2

    public init(version: String) {
        self.version = version
    }

    public static let serviceAccountName = "kube-vip-cloud-controller"
    public static let deploymentName = "kube-vip-cloud-provider"
    public static let leaseName = "kube-vip-cloud-controller"
    /// The port `kube-vip cloud-provider --http-address` listens on by default.
    public static let httpPort = 10258
    /// distroless' `nonroot` user and group.
    public static let nonRootID = 65532

    public var resolvedImage: String { image ?? "kube-vip:\(version)" }

    public func validate() throws(ManifestError) {
        guard !namespace.isEmpty else { throw ManifestError("--namespace must not be empty") }
        guard !configMapNamespace.isEmpty else { throw ManifestError("--configMapNamespace must not be empty") }
        guard !configMapName.isEmpty else { throw ManifestError("--configMapName must not be empty") }
        guard replicas >= 1 else { throw ManifestError("--replicas must be at least 1") }
        if loadBalancerClassName != nil && !loadBalancerClassOnly {
            throw ManifestError("--lbClassName takes effect only with --lbClassOnly")
        }
    }

    public var grants: [Grant] {
        Permissions.cloudProvider(
            configMapNamespace: configMapNamespace, leaseNamespace: namespace, leaderElection: true, writeStatus: writeStatus)
    }

    public var arguments: [String] {
        var arguments = ["cloud-provider", "--leader-elect-resource-name=\(Self.leaseName)"]
        if namespace != "kube-system" { arguments.append("--leader-elect-resource-namespace=\(namespace)") }
        if writeStatus { arguments.append("--write-status") }
        return arguments
    }

    public var environment: [YAMLNode] {
        var env: [YAMLNode] = []
        if configMapNamespace != "kube-system" { env.append(Objects.env("KUBEVIP_NAMESPACE", configMapNamespace)) }
        if configMapName != "kubevip" { env.append(Objects.env("KUBEVIP_CONFIG_MAP", configMapName)) }
        if loadBalancerClassOnly { env.append(Objects.env("KUBEVIP_ENABLE_LOADBALANCERCLASS", "true")) }
        if let loadBalancerClassName {
            env.append(Objects.env("KUBEVIP_CUSTOM_LOADBALANCERCLASS_NAME", loadBalancerClassName))
        }
        return env
    }

    public var flags: [String] {
        var flags: [String] = []
        if namespace != "kube-system" { flags += ["--namespace", namespace] }
        if configMapNamespace != "kube-system" { flags += ["--configMapNamespace", configMapNamespace] }
        if configMapName != "kubevip" { flags += ["--configMapName", configMapName] }
        if loadBalancerClassOnly { flags.append("--lbClassOnly") }
        if let loadBalancerClassName { flags += ["--lbClassName", loadBalancerClassName] }
        if writeStatus { flags.append("--writeStatus") }
        if replicas != 2 { flags += ["--replicas", String(replicas)] }
        if let image { flags += ["--image", image] }
        return flags
    }

    var labels: [(String, String)] {
        [
            ("app.kubernetes.io/name", Self.deploymentName), ("app.kubernetes.io/version", version),
            ("app.kubernetes.io/component", "cloud-provider"), ("app.kubernetes.io/part-of", "kube-vip"),
        ]
    }
}

/// `kube-vip manifest cloud-provider`: the allocator's ServiceAccount, RBAC and Deployment in one file.
public enum CloudProviderManifest {
    public static func document(_ options: CloudProviderManifestOptions) throws(ManifestError) -> ManifestDocument {
        try options.validate()
        let rbac = RBACManifest(
            serviceAccount: CloudProviderManifestOptions.serviceAccountName, namespace: options.namespace,
            roleName: "system:kube-vip-cloud-controller-role", bindingName: "system:kube-vip-cloud-controller-binding",
            grants: options.grants, labels: [("app.kubernetes.io/name", "kube-vip-cloud-controller"), ("app.kubernetes.io/part-of", "kube-vip")])
        return ManifestDocument(
            header: generatedHeader(
                command: shellCommand(["kube-vip", "manifest", "cloud-provider"] + options.flags), version: options.version,
                purpose: "The kube-vip cloud provider: allocates LoadBalancer addresses from the kubevip ConfigMap."),
            objects: rbac.objects + [deployment(options)])
    }

    static func deployment(_ options: CloudProviderManifestOptions) -> YAMLNode {
        let name = CloudProviderManifestOptions.deploymentName
        let selector: YAMLNode = .fields(["app.kubernetes.io/name": .string(name)])
        let environment = options.environment
        let container: YAMLNode = .fields([
            "name": .string(name),
            "image": .string(options.resolvedImage),
            "imagePullPolicy": "IfNotPresent",
            "args": .sequence(options.arguments.map { .string($0) }),
            "env": environment.isEmpty ? nil : .sequence(environment),
            "ports": .sequence([
                .fields(["name": "http", "containerPort": .int(CloudProviderManifestOptions.httpPort), "protocol": "TCP"])
            ]),
            "livenessProbe": Objects.httpProbe(path: "/healthz", port: "http", host: nil, initialDelay: 10, period: 10, failures: 3),
            "readinessProbe": Objects.httpProbe(path: "/readyz", port: "http", host: nil, initialDelay: 5, period: 5, failures: 3),
            "resources": Objects.resources(cpuRequest: "50m", memoryRequest: "64Mi", cpuLimit: "1", memoryLimit: "256Mi"),
            "securityContext": .fields([
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "runAsNonRoot": true,
                "capabilities": .fields(["drop": ["ALL"]]),
            ]),
        ])
        let antiAffinity: YAMLNode = .fields([
            "preferredDuringSchedulingIgnoredDuringExecution": .sequence([
                .fields([
                    "weight": 100,
                    "podAffinityTerm": .fields([
                        "labelSelector": .fields(["matchLabels": selector]),
                        "topologyKey": "kubernetes.io/hostname",
                    ]),
                ])
            ])
        ])
        let nodeAffinity: YAMLNode = .fields([
            "preferredDuringSchedulingIgnoredDuringExecution": .sequence(
                Objects.controlPlaneTerms.map { .fields(["weight": 10, "preference": $0]) })
        ])
        let podSpec: YAMLNode = .fields([
            "serviceAccountName": .string(CloudProviderManifestOptions.serviceAccountName),
            "automountServiceAccountToken": true,
            "securityContext": .fields([
                "runAsNonRoot": true,
                "runAsUser": .int(CloudProviderManifestOptions.nonRootID),
                "runAsGroup": .int(CloudProviderManifestOptions.nonRootID),
                "seccompProfile": .fields(["type": "RuntimeDefault"]),
            ]),
            "affinity": .fields(["nodeAffinity": nodeAffinity, "podAntiAffinity": antiAffinity]),
            "tolerations": Objects.controlPlaneTolerations,
            "containers": .sequence([container]),
        ])
        return Objects.object(
            apiVersion: "apps/v1", kind: "Deployment",
            metadata: Objects.metadata(name: name, namespace: options.namespace, labels: options.labels),
            rest: [
                (
                    "spec",
                    .fields([
                        "replicas": .int(options.replicas),
                        "selector": .fields(["matchLabels": selector]),
                        "template": .fields([
                            "metadata": .fields(pairs: [("labels", .fields(pairs: options.labels.map { ($0.0, .string($0.1)) }))]),
                            "spec": podSpec,
                        ]),
                    ])
                )
            ])
    }
}
