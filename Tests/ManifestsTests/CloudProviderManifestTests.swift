import Manifests
import Testing

@Suite("kube-vip manifest cloud-provider")
struct CloudProviderManifestTests {
    @Test("two replicas of `cloud-provider` compete for upstream's Lease")
    func deployment() throws {
        let parsed = try ParsedManifest(manifest("cloud-provider"))
        let deployment = try parsed.only(kind: "Deployment")
        #expect(value(deployment, "metadata", "name") as? String == "kube-vip-cloud-provider")
        #expect(value(deployment, "spec", "replicas") as? Int == 2)
        #expect(
            try parsed.container()["args"] as? [String] == [
                "cloud-provider", "--leader-elect-resource-name=kube-vip-cloud-controller",
            ])
        #expect(try parsed.podSpec()["serviceAccountName"] as? String == "kube-vip-cloud-controller")
        #expect(try parsed.podSpec()["automountServiceAccountToken"] as? Bool == true)
    }

    @Test("it runs as nobody in particular: non-root 65532, read-only, no escalation, no capabilities")
    func securityContext() throws {
        let parsed = try ParsedManifest(manifest("cloud-provider"))
        let pod = try #require(try parsed.podSpec()["securityContext"] as? [String: Any])
        #expect(pod["runAsNonRoot"] as? Bool == true)
        #expect(pod["runAsUser"] as? Int == 65532)
        #expect(pod["runAsGroup"] as? Int == 65532)
        #expect(value(pod, "seccompProfile", "type") as? String == "RuntimeDefault")
        let container = try #require(try parsed.container()["securityContext"] as? [String: Any])
        #expect(container["readOnlyRootFilesystem"] as? Bool == true)
        #expect(container["allowPrivilegeEscalation"] as? Bool == false)
        #expect(value(container, "capabilities", "drop") as? [String] == ["ALL"])
        #expect(value(container, "capabilities", "add") == nil)
    }

    @Test("liveness and readiness probe the health endpoints on :10258")
    func probes() throws {
        let container = try ParsedManifest(manifest("cloud-provider")).container()
        #expect((container["ports"] as? [[String: Any]])?.first?["containerPort"] as? Int == 10258)
        #expect(value(container, "livenessProbe", "httpGet", "path") as? String == "/healthz")
        #expect(value(container, "livenessProbe", "httpGet", "port") as? String == "http")
        #expect(value(container, "readinessProbe", "httpGet", "path") as? String == "/readyz")
        #expect(value(container, "resources", "requests", "memory") != nil)
        #expect(value(container, "resources", "limits", "memory") != nil)
    }

    @Test("replicas prefer different nodes and may run on control-plane nodes")
    func placement() throws {
        let spec = try ParsedManifest(manifest("cloud-provider")).podSpec()
        let terms = try #require(
            value(spec, "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution") as? [[String: Any]])
        #expect(value(terms.first, "podAffinityTerm", "topologyKey") as? String == "kubernetes.io/hostname")
        #expect(
            value(terms.first, "podAffinityTerm", "labelSelector", "matchLabels", "app.kubernetes.io/name") as? String
                == "kube-vip-cloud-provider")
        let tolerations = try #require(spec["tolerations"] as? [[String: Any]])
        #expect(tolerations.contains { $0["key"] as? String == "node-role.kubernetes.io/control-plane" })
    }

    @Test("with the defaults no environment is written")
    func defaultEnvironment() throws {
        #expect(try ParsedManifest(manifest("cloud-provider")).container()["env"] == nil)
    }

    @Test("the ConfigMap's namespace and name are written only when they are not the defaults")
    func configMapEnvironment() throws {
        let env = try ParsedManifest(manifest("cloud-provider", "--configMapNamespace", "pools", "--configMapName", "addresses"))
            .environment()
        #expect(env == ["KUBEVIP_NAMESPACE": "pools", "KUBEVIP_CONFIG_MAP": "addresses"])
    }

    @Test("--lbClassOnly and --lbClassName select Services by class")
    func loadBalancerClass() throws {
        let env = try ParsedManifest(manifest("cloud-provider", "--lbClassOnly", "--lbClassName", "example.com/lb")).environment()
        #expect(env["KUBEVIP_ENABLE_LOADBALANCERCLASS"] == .some("true"))
        #expect(env["KUBEVIP_CUSTOM_LOADBALANCERCLASS_NAME"] == .some("example.com/lb"))
    }

    @Test("in another namespace the Lease follows the Deployment there")
    func namespace() throws {
        let parsed = try ParsedManifest(manifest("cloud-provider", "--namespace", "kube-vip"))
        #expect(value(try parsed.only(kind: "Deployment"), "metadata", "namespace") as? String == "kube-vip")
        #expect((try parsed.container()["args"] as? [String])?.contains("--leader-elect-resource-namespace=kube-vip") == true)
    }

    @Test("--writeStatus is passed to the role")
    func writeStatus() throws {
        #expect((try ParsedManifest(manifest("cloud-provider", "--writeStatus")).container()["args"] as? [String])?
            .contains("--write-status") == true)
    }
}
