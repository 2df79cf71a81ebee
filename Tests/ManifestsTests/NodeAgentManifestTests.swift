import Manifests
import Testing

@testable import KubeVip

@Suite("kube-vip manifest daemonset and pod")
struct NodeAgentManifestTests {
    @Test("the node agent may add addresses and send frames, and nothing else")
    func securityContext() throws {
        let container = try ParsedManifest(manifest("daemonset", "--services", "--arp")).container()
        let context = try #require(container["securityContext"] as? [String: Any])
        #expect(value(context, "capabilities", "add") as? [String] == ["NET_ADMIN", "NET_RAW"])
        #expect(value(context, "capabilities", "drop") as? [String] == ["ALL"])
        #expect(context["allowPrivilegeEscalation"] as? Bool == false)
        #expect(context["readOnlyRootFilesystem"] as? Bool == true)
        #expect(value(context, "seccompProfile", "type") as? String == "RuntimeDefault")
        #expect(context["privileged"] == nil)
    }

    @Test("the DaemonSet runs `manager` on the host's network with upstream's name and labels")
    func daemonSetShape() throws {
        let parsed = try ParsedManifest(manifest("daemonset", "--services", "--arp"))
        let daemonSet = try parsed.only(kind: "DaemonSet")
        #expect(value(daemonSet, "metadata", "name") as? String == "kube-vip-ds")
        #expect(value(daemonSet, "metadata", "namespace") as? String == "kube-system")
        #expect(value(daemonSet, "metadata", "labels", "app.kubernetes.io/name") as? String == "kube-vip-ds")
        #expect(value(daemonSet, "metadata", "labels", "app.kubernetes.io/version") as? String == KubeVipVersion.current)
        #expect(value(daemonSet, "spec", "selector", "matchLabels", "app.kubernetes.io/name") as? String == "kube-vip-ds")
        #expect(try parsed.podSpec()["hostNetwork"] as? Bool == true)
        #expect(try parsed.container()["args"] as? [String] == ["manager"])
    }

    @Test("the image defaults to the tag the Containerfile's build command gives, and --image replaces it")
    func image() throws {
        #expect(try ParsedManifest(manifest("daemonset", "--services", "--arp")).container()["image"] as? String
            == "kube-vip:\(KubeVipVersion.current)")
        #expect(try ParsedManifest(manifest("daemonset", "--services", "--arp", "--image", "registry.example/kube-vip:1"))
            .container()["image"] as? String == "registry.example/kube-vip:1")
    }

    @Test("liveness and readiness probe /healthz and /readyz on the metrics port")
    func probes() throws {
        let container = try ParsedManifest(manifest("daemonset", "--services", "--arp")).container()
        let ports = try #require(container["ports"] as? [[String: Any]])
        #expect(ports.count == 1)
        #expect(ports.first?["name"] as? String == "metrics")
        #expect(ports.first?["containerPort"] as? Int == 2112)
        #expect(value(container, "livenessProbe", "httpGet", "path") as? String == "/healthz")
        #expect(value(container, "livenessProbe", "httpGet", "port") as? String == "metrics")
        #expect(value(container, "readinessProbe", "httpGet", "path") as? String == "/readyz")
        #expect(value(container, "readinessProbe", "httpGet", "port") as? String == "metrics")
    }

    @Test("--prometheusHTTPServer moves the metrics port, and a specific host is where the probes ask")
    func metricsAddress() throws {
        let container = try ParsedManifest(
            manifest("daemonset", "--services", "--arp", "--prometheusHTTPServer", "127.0.0.1:9100")
        ).container()
        #expect((container["ports"] as? [[String: Any]])?.first?["containerPort"] as? Int == 9100)
        #expect(value(container, "livenessProbe", "httpGet", "host") as? String == "127.0.0.1")
    }

    @Test("without metrics the probes use --healthCheckPort")
    func healthCheckPort() throws {
        let parsed = try ParsedManifest(
            manifest("daemonset", "--services", "--arp", "--prometheusHTTPServer", "", "--healthCheckPort", "10256"))
        let container = try parsed.container()
        #expect((container["ports"] as? [[String: Any]])?.map { $0["name"] as? String } == ["health"])
        #expect(value(container, "livenessProbe", "httpGet", "port") as? String == "health")
        #expect(try parsed.environment()["prometheus_server"] == .some(""))
        #expect(try parsed.environment()["health_check_port"] == .some("10256"))
    }

    @Test("with neither metrics nor a health port there is nothing to probe")
    func noProbes() throws {
        let container = try ParsedManifest(
            manifest("daemonset", "--services", "--arp", "--prometheusHTTPServer", "")
        ).container()
        #expect(container["livenessProbe"] == nil)
        #expect(container["readinessProbe"] == nil)
        #expect(container["ports"] == nil)
    }

    @Test("the container asks for resources and is limited")
    func resources() throws {
        let container = try ParsedManifest(manifest("daemonset", "--services", "--arp")).container()
        #expect(value(container, "resources", "requests", "cpu") != nil)
        #expect(value(container, "resources", "requests", "memory") != nil)
        #expect(value(container, "resources", "limits", "cpu") != nil)
        #expect(value(container, "resources", "limits", "memory") != nil)
    }

    @Test("the defaults write the mode, the node name from the pod's node, the global Lease and upstream's timings")
    func defaultEnvironment() throws {
        let parsed = try ParsedManifest(manifest("daemonset", "--services", "--arp"))
        #expect(
            try parsed.envNames() == [
                "vip_arp", "vip_nodename", "svc_enable", "svc_leasename", "vip_leaseduration", "vip_renewdeadline",
                "vip_retryperiod", "prometheus_server",
            ])
        let env = try parsed.environment()
        #expect(env["vip_arp"] == .some("true"))
        #expect(env["svc_enable"] == .some("true"))
        #expect(env["svc_leasename"] == .some("plndr-svcs-lock"))
        #expect(env["vip_leaseduration"] == .some("15"))
        #expect(env["vip_renewdeadline"] == .some("10"))
        #expect(env["vip_retryperiod"] == .some("2"))
        #expect(env["prometheus_server"] == .some(":2112"))
        let nodeName = try #require((try parsed.container()["env"] as? [[String: Any]])?.first { $0["name"] as? String == "vip_nodename" })
        #expect(value(nodeName, "valueFrom", "fieldRef", "fieldPath") as? String == "spec.nodeName")
    }

    @Test(
        "each flag writes its environment variable",
        arguments: [
            (["--interface", "eth1"], "vip_interface", "eth1"),
            (["--serviceInterface", "auto"], "vip_servicesinterface", "auto"),
            (["--servicesElection"], "svc_election", "true"),
            (["--servicesLeaseName", "other/lock"], "svc_leasename", "other/lock"),
            (["--leaderElection"], "vip_leaderelection", "true"),
            (["--leaseDuration", "5", "--leaseRenewDuration", "3", "--leaseRetry", "1"], "vip_leaseduration", "5"),
            (["--leaseDuration", "5", "--leaseRenewDuration", "3", "--leaseRetry", "1"], "vip_renewdeadline", "3"),
            (["--leaseDuration", "5", "--leaseRenewDuration", "3", "--leaseRetry", "1"], "vip_retryperiod", "1"),
            (["--arpRate", "1000"], "vip_arpRate", "1000"),
            (["--lbClassName", "example.com/lb"], "lb_class_name", "example.com/lb"),
            (["--lbClassOnly"], "lb_class_only", "true"),
            (["--enableUPNP"], "enable_upnp", "true"),
            (["--prometheusHTTPServer", ":9100"], "prometheus_server", ":9100"),
        ] as [([String], String, String)]
    )
    func environmentPerFlag(flags: [String], name: String, expected: String) throws {
        let document = try ManifestCommand.document(arguments: ["daemonset", "--services", "--arp"] + flags)
        #expect(try ParsedManifest(document).environment()[name] == .some(expected))
    }

    @Test("a Lease per Service replaces the global Lease's name")
    func servicesElectionDropsLeaseName() throws {
        let env = try ParsedManifest(manifest("daemonset", "--services", "--arp", "--servicesElection")).environment()
        #expect(env["svc_leasename"] == nil)
    }

    @Test("--inCluster runs as the kube-vip ServiceAccount and mounts nothing from the host")
    func inCluster() throws {
        let spec = try ParsedManifest(manifest("daemonset", "--services", "--arp", "--inCluster")).podSpec()
        #expect(spec["serviceAccountName"] as? String == "kube-vip")
        #expect(spec["volumes"] == nil)
        #expect(spec["hostAliases"] == nil)
    }

    @Test("without --inCluster the node's admin.conf is mounted and kubernetes resolves to the node, as upstream")
    func adminConf() throws {
        let parsed = try ParsedManifest(manifest("daemonset", "--services", "--arp"))
        let spec = try parsed.podSpec()
        #expect(spec["serviceAccountName"] == nil)
        let volumes = try #require(spec["volumes"] as? [[String: Any]])
        #expect(value(volumes.first, "hostPath", "path") as? String == "/etc/kubernetes/admin.conf")
        let mounts = try #require(try parsed.container()["volumeMounts"] as? [[String: Any]])
        #expect(mounts.first?["mountPath"] as? String == "/etc/kubernetes/admin.conf")
        #expect(mounts.first?["readOnly"] as? Bool == true)
        let aliases = try #require(spec["hostAliases"] as? [[String: Any]])
        #expect(aliases.first?["ip"] as? String == "127.0.0.1")
        #expect(aliases.first?["hostnames"] as? [String] == ["kubernetes"])
    }

    @Test("--taint tolerates every taint and requires a control-plane node")
    func taint() throws {
        let spec = try ParsedManifest(manifest("daemonset", "--services", "--arp", "--taint")).podSpec()
        let tolerations = try #require(spec["tolerations"] as? [[String: Any]])
        #expect(Set(tolerations.compactMap { $0["effect"] as? String }) == ["NoSchedule", "NoExecute"])
        #expect(tolerations.allSatisfy { $0["operator"] as? String == "Exists" && $0["key"] == nil })
        let terms = try #require(
            value(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
                as? [[String: Any]])
        let keys = terms.flatMap { ($0["matchExpressions"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String } }
        #expect(keys.contains("node-role.kubernetes.io/control-plane"))
    }

    @Test("without --taint the agent runs on every schedulable node")
    func noTaint() throws {
        let spec = try ParsedManifest(manifest("daemonset", "--services", "--arp")).podSpec()
        #expect(spec["tolerations"] == nil)
        #expect(spec["affinity"] == nil)
    }

    @Test("--namespace places the pods there")
    func namespace() throws {
        let daemonSet = try ParsedManifest(manifest("daemonset", "--services", "--arp", "--namespace", "kube-vip"))
            .only(kind: "DaemonSet")
        #expect(value(daemonSet, "metadata", "namespace") as? String == "kube-vip")
    }

    @Test("the static Pod has the DaemonSet's container, on the host network, with the node's admin.conf")
    func staticPod() throws {
        let pod = try ParsedManifest(manifest("pod", "--services", "--arp", "--interface", "eth0"))
        let object = try pod.only(kind: "Pod")
        #expect(value(object, "metadata", "name") as? String == "kube-vip")
        #expect(value(object, "metadata", "namespace") as? String == "kube-system")
        #expect(try pod.podSpec()["hostNetwork"] as? Bool == true)
        #expect(value((try pod.podSpec()["volumes"] as? [[String: Any]])?.first, "hostPath", "path") as? String
            == "/etc/kubernetes/admin.conf")
        let podContainers = try manifest("pod", "--services", "--arp", "--interface", "eth0").objects.last?[path: "spec", "containers"]
        let daemonSetContainers = try manifest("daemonset", "--services", "--arp", "--interface", "eth0").objects.last?[
            path: "spec", "template", "spec", "containers"]
        #expect(podContainers != nil)
        #expect(podContainers == daemonSetContainers)
    }

    @Test("--withRBAC puts the ServiceAccount and its RBAC before the DaemonSet")
    func withRBAC() throws {
        let kinds = try ParsedManifest(manifest("daemonset", "--services", "--arp", "--inCluster", "--withRBAC")).objects
            .compactMap { $0["kind"] as? String }
        #expect(kinds.first == "ServiceAccount")
        #expect(kinds.last == "DaemonSet")
        #expect(kinds.contains("ClusterRole"))
    }

    @Test("the header's command regenerates the same document", arguments: manifestMatrix)
    func headerRegenerates(arguments: [String]) throws {
        let document = try ManifestCommand.document(arguments: arguments)
        let command = try #require(document.header.first { $0.hasPrefix("  kube-vip manifest ") })
        let words = command.split(separator: " ").map(String.init)
        // The matrix has no argument a shell would need quotes for, except the empty one.
        let regenerated = try ManifestCommand.document(arguments: Array(words.dropFirst(2)).map { $0 == "''" ? "" : $0 })
        #expect(regenerated == document)
    }
}

@Suite("kube-vip manifest refusals")
struct ManifestRefusalTests {
    @Test("the node agent needs --services: it serves LoadBalancer Services only")
    func servicesRequired() {
        #expect(refusal("daemonset", "--arp")?.contains("--services is required") == true)
    }

    @Test("the node agent needs --arp: ARP/NDP is the only advertisement")
    func arpRequired() {
        #expect(refusal("daemonset", "--services")?.contains("--arp is required") == true)
    }

    @Test(
        "upstream's flags for features not implemented are refused with the reason",
        arguments: [["--bgp"], ["--controlplane"], ["--vip", "198.51.100.10"], ["--address=198.51.100.10"], ["--table"]]
    )
    func unsupportedUpstreamFlags(flags: [String]) throws {
        let message = try #require(refusal(["daemonset", "--services", "--arp"] + flags))
        let name = flags[0].split(separator: "=")[0]
        #expect(message.contains("\(name) is upstream kube-vip's flag"), "\(message)")
        #expect(message.contains("does not support"))
    }

    @Test("an option nobody defines is called unknown")
    func unknownOption() throws {
        let message = try #require(refusal(["daemonset", "--services", "--arp", "--frobnicate"]))
        #expect(message.contains("unknown option --frobnicate"), "\(message)")
    }

    @Test("lease timings the agent would reject are refused")
    func leaseTimings() throws {
        let tooShortRenew = try #require(refusal(["daemonset", "--services", "--arp", "--leaseRenewDuration", "2"]))
        #expect(tooShortRenew.contains("--leaseRenewDuration"), "\(tooShortRenew)")
        let tooShortLease = try #require(refusal(["daemonset", "--services", "--arp", "--leaseDuration", "10"]))
        #expect(tooShortLease.contains("--leaseDuration"), "\(tooShortLease)")
    }

    @Test("an ARP period the agent would replace is refused")
    func arpRate() {
        #expect(refusal(["daemonset", "--services", "--arp", "--arpRate", "100"])?.contains("--arpRate") == true)
    }

    @Test("a metrics address without a port is refused")
    func metricsAddress() {
        #expect(refusal(["daemonset", "--services", "--arp", "--prometheusHTTPServer", "2112"])?.contains("--prometheusHTTPServer") == true)
    }

    @Test("a global Lease name with --servicesElection is refused: it would not be used")
    func leaseNameWithPerServiceElection() {
        #expect(refusal(["daemonset", "--services", "--arp", "--servicesElection", "--servicesLeaseName", "x"]) != nil)
    }

    @Test("the cloud provider's class name without --lbClassOnly is refused: it would not be used")
    func classNameWithoutClassOnly() {
        #expect(refusal(["cloud-provider", "--lbClassName", "example.com/lb"])?.contains("--lbClassOnly") == true)
    }
}

private func refusal(_ arguments: [String]) -> String? {
    do {
        _ = try ManifestCommand.document(arguments: arguments)
        return nil
    } catch {
        return ManifestCommand.message(for: error)
    }
}
