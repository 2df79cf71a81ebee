import Foundation
import KubernetesAPIServer
import KubernetesModels
import Testing

extension ChildProcessSuites {
/// Every kubectl command line of the seed document, unchanged, against the embedded server.
@Suite(
    "kubectl runs the seed's command lines",
    .enabled(if: KubectlProcess.isAvailable, "/usr/bin/kubectl is not installed"),
    .serialized, .timeLimit(.minutes(2)))
struct KubectlSeedTests {
    @Test("create configmap with cidr-global (a protobuf body from kubectl 1.32) stores the pool")
    func createConfigMapCIDR() async throws {
        try await KubectlEnvironment.with { env in
            let created = try await env.kubectl(
                "create", "configmap", "-n", "kube-system", "kubevip", "--from-literal",
                "cidr-global=192.168.0.220/29")
            #expect(created.status == 0, "\(created)")
            #expect(created.stdout.contains("configmap/kubevip created"))
            let yaml = try await env.kubectl("get", "configmap", "kubevip", "-n", "kube-system", "-o", "yaml")
            #expect(yaml.status == 0, "\(yaml)")
            #expect(yaml.stdout.contains("cidr-global: 192.168.0.220/29"))
        }
    }

    @Test("create configmap with range-global stores the range")
    func createConfigMapRange() async throws {
        try await KubectlEnvironment.with { env in
            let created = try await env.kubectl(
                "create", "configmap", "-n", "kube-system", "kubevip", "--from-literal",
                "range-global=192.168.1.220-192.168.1.230")
            #expect(created.status == 0, "\(created)")
            let stored = try await env.server.store.get(ResourceRegistry.configMaps, namespace: "kube-system", name: "kubevip")
            #expect(stored[path: "data", "range-global"] == "192.168.1.220-192.168.1.230")
        }
    }

    @Test("apply -f the example ConfigMap creates it, a second apply leaves it unchanged")
    func applyConfigMap() async throws {
        try await KubectlEnvironment.with { env in
            let file = KubectlEnvironment.fixture("kubevip-configmap.yaml")
            let first = try await env.kubectl("apply", "-f", file)
            #expect(first.status == 0, "\(first)")
            #expect(first.stdout.contains("configmap/kubevip created"))
            let second = try await env.kubectl("apply", "-f", file)
            #expect(second.status == 0, "\(second)")
            #expect(second.stdout.contains("configmap/kubevip unchanged"))
            let yaml = try await env.kubectl("get", "configmap", "kubevip", "-n", "kube-system", "-o", "yaml")
            #expect(yaml.stdout.contains("cidr-finance: 192.168.0.220/29,192.168.0.230/29"))
        }
    }

    @Test("apply -f the two Service YAMLs creates nginx and then adds the static-address annotation")
    func applyServices() async throws {
        try await KubectlEnvironment.with { env in
            let created = try await env.kubectl("apply", "-f", KubectlEnvironment.fixture("nginx-service.yaml"))
            #expect(created.status == 0, "\(created)")
            #expect(created.stdout.contains("service/nginx created"))
            let configured = try await env.kubectl(
                "apply", "-f", KubectlEnvironment.fixture("nginx-service-static-ip.yaml"))
            #expect(configured.status == 0, "\(configured)")
            #expect(configured.stdout.contains("service/nginx configured"))
            let stored = try await env.server.store.get(ResourceRegistry.services, namespace: "default", name: "nginx")
            #expect(stored.metadataAnnotations["kube-vip.io/loadbalancerIPs"] == "1.1.1.1")
        }
    }

    @Test("expose deployment creates a LoadBalancer Service that get svc shows <pending>, then its address")
    func exposeAndGet() async throws {
        try await KubectlEnvironment.with { env in
            let deployment = try await env.kubectl("create", "deployment", "nginx-deployment", "--image=nginx")
            #expect(deployment.status == 0, "\(deployment)")
            let exposed = try await env.kubectl(
                "expose", "deployment", "nginx-deployment", "--port=80", "--type=LoadBalancer", "--name=nginx")
            #expect(exposed.status == 0, "\(exposed)")
            #expect(exposed.stdout.contains("service/nginx exposed"))

            let pending = try await env.kubectl("get", "svc")
            #expect(pending.status == 0, "\(pending)")
            let header = pending.stdout.split(separator: "\n").first.map { $0.split(separator: " ") }
            #expect(header == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"])
            let row = try #require(Self.row("nginx", in: pending.stdout))
            #expect(row.count == 6)
            #expect(row[1] == "LoadBalancer")
            #expect(row[3] == "<pending>")
            #expect(row[4].hasPrefix("80:") && row[4].hasSuffix("/TCP"))

            let patched = try await env.kubectl(
                "patch", "svc", "nginx", "--subresource=status", "--type=merge", "-p",
                #"{"status":{"loadBalancer":{"ingress":[{"ip":"192.168.0.240"}]}}}"#)
            #expect(patched.status == 0, "\(patched)")
            let assigned = try await env.kubectl("get", "svc")
            #expect(Self.row("nginx", in: assigned.stdout)?[3] == "192.168.0.240")
        }
    }

    @Test("expose with --load-balancer-ip=1.1.1.1 records the requested address")
    func exposeStaticAddress() async throws {
        try await KubectlEnvironment.with { env in
            _ = try await env.kubectl("create", "deployment", "nginx-deployment", "--image=nginx")
            let exposed = try await env.kubectl(
                "expose", "deployment", "nginx-deployment", "--port=80", "--type=LoadBalancer", "--name=nginx",
                "--load-balancer-ip=1.1.1.1")
            #expect(exposed.status == 0, "\(exposed)")
            let stored = try await env.server.store.get(ResourceRegistry.services, namespace: "default", name: "nginx")
            #expect(stored[path: "spec", "loadBalancerIP"] == "1.1.1.1")
        }
    }

    @Test("expose with --load-balancer-ip=0.0.0.0 (the DHCP request) is accepted")
    func exposeDHCP() async throws {
        try await KubectlEnvironment.with { env in
            _ = try await env.kubectl("create", "deployment", "nginx-deployment", "--image=nginx")
            let exposed = try await env.kubectl(
                "expose", "deployment", "nginx-deployment", "--port=80", "--type=LoadBalancer", "--name=nginx-dhcp",
                "--load-balancer-ip=0.0.0.0")
            #expect(exposed.status == 0, "\(exposed)")
            let listed = try await env.kubectl("get", "svc")
            #expect(Self.row("nginx-dhcp", in: listed.stdout)?[1] == "LoadBalancer")
            let stored = try await env.server.store.get(ResourceRegistry.services, namespace: "default", name: "nginx-dhcp")
            #expect(stored[path: "spec", "loadBalancerIP"] == "0.0.0.0")
        }
    }

    @Test("the UPnP example exposes port 32380 to target port 80 in namespace plunder")
    func exposeUPnP() async throws {
        try await KubectlEnvironment.with { env in
            let namespace = try await env.kubectl("create", "namespace", "plunder")
            #expect(namespace.status == 0, "\(namespace)")
            let deployment = try await env.kubectl("create", "deployment", "plunder-nginx", "--image=nginx", "-n", "plunder")
            #expect(deployment.status == 0, "\(deployment)")
            let exposed = try await env.kubectl(
                "expose", "deployment", "plunder-nginx", "--port=32380", "--target-port=80", "--type=LoadBalancer",
                "--namespace", "plunder")
            #expect(exposed.status == 0, "\(exposed)")
            let stored = try await env.server.store.get(ResourceRegistry.services, namespace: "plunder", name: "plunder-nginx")
            let port = stored[path: "spec", "ports"]?.arrayValue?.first
            #expect(port?["port"] == 32380)
            #expect(port?["targetPort"] == 80)
        }
    }

    @Test("get lease -A lists leases of every namespace with their holder")
    func getLeases() async throws {
        try await KubectlEnvironment.with { env in
            let none = try await env.kubectl("get", "lease", "-A")
            #expect(none.status == 0, "\(none)")
            #expect(none.stderr.contains("No resources found"))
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "plndr-svcs-lock", "namespace": "kube-system"],
                "spec": ["holderIdentity": "node1", "leaseDurationSeconds": 15],
            ]
            _ = try await env.server.store.create(ResourceRegistry.leases, namespace: "kube-system", object: lease)
            let listed = try await env.kubectl("get", "lease", "-A")
            #expect(listed.status == 0, "\(listed)")
            let row = Self.row("plndr-svcs-lock", in: listed.stdout, nameColumn: 1)
            #expect(row?[0] == "kube-system")
            #expect(row?[2] == "node1")
        }
    }

    @Test("delete svc nginx deletes it")
    func deleteService() async throws {
        try await KubectlEnvironment.with { env in
            _ = try await env.kubectl("apply", "-f", KubectlEnvironment.fixture("nginx-service.yaml"))
            let deleted = try await env.kubectl("delete", "svc", "nginx")
            #expect(deleted.status == 0, "\(deleted)")
            #expect(deleted.stdout.contains(#""nginx" deleted"#))
            let missing = try await env.kubectl("get", "svc", "nginx")
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("NotFound") || missing.stderr.contains("not found"))
        }
    }

    @Test("get svc -w prints a Service created while it watches")
    func watchServices() async throws {
        try await KubectlEnvironment.with { env in
            let watch = try env.start("get", "svc", "-w")
            do {
                #expect(await watch.waitForOutput(containing: "kubernetes"), "\(watch.stdout)")
                let created = try await env.kubectl("apply", "-f", KubectlEnvironment.fixture("nginx-service.yaml"))
                #expect(created.status == 0, "\(created)")
                #expect(await watch.waitForOutput(containing: "nginx"), "\(watch.stdout)")
            } catch {
                _ = await watch.stop()
                throw error
            }
            let result = await watch.stop()
            #expect(Self.row("nginx", in: result.stdout)?.contains("LoadBalancer") == true, "\(result)")
        }
    }

    /// The whitespace-separated cells of the line whose `nameColumn` cell is `name`.
    static func row(_ name: String, in output: String, nameColumn: Int = 0) -> [String]? {
        output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .first { $0.count > nameColumn && $0[nameColumn] == name }
    }
}
}
