import KubernetesModels
import Manifests
import NodeAgent
import Testing

/// The DaemonSet `kube-vip manifest` writes must configure the agent the way its flags say: the environment it
/// generates is read here by the agent's own settings parser, as the container would read it.
@Suite("Generated manifests configure the node agent")
struct GeneratedManifestSettingsTests {
    /// The container's environment as the kubelet would give it, with `vip_nodename` resolved from the node.
    private func environment(_ options: NodeAgentManifestOptions, nodeName: String = "node-a") -> [String: String] {
        var environment: [String: String] = [:]
        for variable in options.environment {
            guard let name = variable["name"]?.stringValue else { continue }
            if let value = variable["value"]?.stringValue {
                environment[name] = value
            } else if variable[path: "valueFrom", "fieldRef", "fieldPath"]?.stringValue == "spec.nodeName" {
                environment[name] = nodeName
            }
        }
        return environment
    }

    private func settings(_ options: NodeAgentManifestOptions) throws -> AgentSettings {
        try AgentSettings(
            environment: environment(options), hostName: "host-name-not-used", podNamespace: options.namespace)
    }

    private func options(_ change: (inout NodeAgentManifestOptions) -> Void) -> NodeAgentManifestOptions {
        var options = NodeAgentManifestOptions(version: "0.1.0")
        options.services = true
        options.arp = true
        change(&options)
        return options
    }

    @Test("the checked-in DaemonSet's flags give per-Service election on eth0 with metrics on :2112")
    func checkedInDaemonSet() throws {
        let settings = try settings(options {
            $0.interface = "eth0"
            $0.servicesElection = true
            $0.inCluster = true
        })
        #expect(settings.nodeName == "node-a")
        #expect(settings.interface == "eth0")
        #expect(settings.election == .perService)
        #expect(settings.metricsAddress == ":2112")
        #expect(settings.leaseDuration == .seconds(15))
        #expect(settings.enableUPnP == false)
    }

    @Test("without --servicesElection the agent joins the global Lease named by --servicesLeaseName")
    func globalElection() throws {
        let settings = try settings(options { $0.servicesLeaseName = "my-svcs-lock" })
        #expect(settings.election == .global(namespace: "kube-system", name: "my-svcs-lock"))
    }

    @Test("lease timings, ARP rate, class, UPnP and the health port reach the agent")
    func everyTunable() throws {
        let settings = try settings(options {
            $0.leaseDuration = 5
            $0.leaseRenewDuration = 3
            $0.leaseRetry = 1
            $0.arpRate = 1000
            $0.lbClassName = "example.org/lb"
            $0.lbClassOnly = true
            $0.enableUPnP = true
            $0.healthCheckPort = 8081
            $0.servicesInterface = "auto"
        })
        #expect(settings.leaseDuration == .seconds(5))
        #expect(settings.renewDeadline == .seconds(3))
        #expect(settings.retryPeriod == .seconds(1))
        #expect(settings.announcementPeriod == .milliseconds(1000))
        #expect(settings.className == "example.org/lb")
        #expect(settings.classOnly)
        #expect(settings.enableUPnP)
        #expect(settings.healthCheckPort == 8081)
        #expect(settings.servicesInterface == "auto")
    }

    @Test("the RBAC generated for global election grants Leases in the namespace the agent elects in")
    func rbacFollowsTheAgentsLeaseNamespace() throws {
        let options = options { $0.namespace = "lb-system" }
        let settings = try settings(options)
        guard case .global(let namespace, _) = settings.election else {
            Issue.record("expected a global election, got \(settings.election)")
            return
        }
        let leaseGrants = try options.grants().filter { grant in
            grant.rules.contains { $0.allows(verb: "update", apiGroup: "coordination.k8s.io", resource: "leases") }
        }
        #expect(leaseGrants.map(\.scope) == [.namespace(namespace)])
    }
}
