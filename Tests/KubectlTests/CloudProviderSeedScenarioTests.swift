import Foundation
import KubernetesModels
import Testing

extension ChildProcessSuites {
/// The seed document's cloud-provider scenarios, end to end: the real kubectl against the built `kube-vip dev`
/// with its in-process allocator, which records each choice as upstream does and, standing in for the node
/// agent, fills `status.loadBalancer.ingress` so that `kubectl get svc` shows the EXTERNAL-IP. Addresses are
/// the seed's, moved into the documentation ranges (RFC 5737).
@Suite(
    "cloud-provider: the seed's scenarios, kubectl against kube-vip dev",
    .enabled(if: DevBinary.path != nil, "the kube-vip binary was not found next to the test runner"),
    .enabled(if: KubectlProcess.isAvailable, "kubectl is not installed at /usr/bin/kubectl"),
    .timeLimit(.minutes(2))
)
struct CloudProviderSeedScenarioTests {
    static let exampleConfigMap = KubectlEnvironment.fixture("cloud-provider/kubevip-configmap.yaml")

    @Test("a global CIDR made with `kubectl create configmap` serves Services in every namespace")
    func globalCIDR() async throws {
        try await CloudProviderCluster.with(allocator: true) { cluster in
            try await cluster.succeed(
                "create", "configmap", "-n", "kube-system", "kubevip", "--from-literal", "cidr-global=192.0.2.8/29")
            try await cluster.exposeNginx()
            try await cluster.succeed("create", "namespace", "team")
            try await cluster.succeed("apply", "-f", KubectlEnvironment.fixture("nginx-service.yaml"), "-n", "team")

            let pool = IPv4Range("192.0.2.8", "192.0.2.15")
            let inDefault = try await cluster.waitForAddress("nginx", inStatus: true)
            let inTeam = try await cluster.waitForAddress("nginx", namespace: "team", inStatus: true)
            expectRecord(inDefault, from: pool)
            expectRecord(inTeam, from: pool)
            #expect(inDefault.recordedAddress != inTeam.recordedAddress)

            let table = try await cluster.succeed("get", "svc", "-A")
            #expect(Self.externalIP("nginx", namespace: "default", in: table.stdout) == inDefault.recordedAddress)
            #expect(Self.externalIP("nginx", namespace: "team", in: table.stdout) == inTeam.recordedAddress)
        }
    }

    @Test("a global range made with `kubectl create configmap` serves an exposed deployment")
    func globalRange() async throws {
        try await CloudProviderCluster.with(allocator: true) { cluster in
            try await cluster.succeed(
                "create", "configmap", "-n", "kube-system", "kubevip", "--from-literal",
                "range-global=198.51.100.220-198.51.100.230")
            try await cluster.exposeNginx()

            let service = try await cluster.waitForAddress("nginx", inStatus: true)
            expectRecord(service, from: IPv4Range("198.51.100.220", "198.51.100.230"))
            let table = try await cluster.succeed("get", "svc")
            #expect(KubectlSeedTests.row("nginx", in: table.stdout)?[3] == service.recordedAddress, "\(table)")
        }
    }

    @Test("the example ConfigMap: each namespace draws from its own pool, one without a pool from the global one")
    func namespacePools() async throws {
        try await CloudProviderCluster.with(allocator: true) { cluster in
            try await cluster.succeed("apply", "-f", Self.exampleConfigMap)
            for namespace in ["development", "marketing"] {
                try await cluster.succeed("create", "namespace", namespace)
                try await cluster.succeed(
                    "apply", "-f", KubectlEnvironment.fixture("nginx-service.yaml"), "-n", namespace)
            }
            try await cluster.exposeNginx()

            let expected = [
                ("default", IPv4Range("192.0.2.200", "192.0.2.207")),
                ("development", IPv4Range("192.0.2.210", "192.0.2.219")),
                ("marketing", IPv4Range("192.0.2.240", "192.0.2.247")),
            ]
            for (namespace, pool) in expected {
                let service = try await cluster.waitForAddress("nginx", namespace: namespace, inStatus: true)
                expectRecord(service, from: pool)
                let shown = try await cluster.succeed("get", "svc", "-n", namespace)
                #expect(KubectlSeedTests.row("nginx", in: shown.stdout)?[3] == service.recordedAddress, "\(shown)")
            }
        }
    }

    @Test("the example ConfigMap: both CIDRs of `cidr-finance` serve the finance namespace")
    func twoCIDRsInOneKey() async throws {
        try await CloudProviderCluster.with(allocator: true) { cluster in
            try await cluster.succeed("apply", "-f", Self.exampleConfigMap)
            try await cluster.succeed("create", "namespace", "finance")
            // One more Service than the first CIDR holds (a /29: 192.0.2.216-223), so the second must serve too.
            let names = (1...9).map { "ledger-\($0)" }
            let file = cluster.root.appendingPathComponent("finance-services.yaml")
            let documents = names.map { name in
                """
                apiVersion: v1
                kind: Service
                metadata:
                  name: \(name)
                  namespace: finance
                spec:
                  type: LoadBalancer
                  selector:
                    app: \(name)
                  ports:
                  - name: http
                    port: 80
                    protocol: TCP
                """
            }
            try Data(documents.joined(separator: "\n---\n").utf8).write(to: file)
            try await cluster.succeed("apply", "-f", file.path)

            var addresses: [String] = []
            for name in names {
                let service = try await cluster.waitForAddress(name, namespace: "finance", inStatus: true)
                expectRecord(service, from: IPv4Range("192.0.2.216", "192.0.2.231"))
                addresses += service.recordedAddress.map { [$0] } ?? []
            }
            #expect(Set(addresses).count == names.count, "\(addresses)")
            #expect(addresses.contains { IPv4Range("192.0.2.216", "192.0.2.223").contains($0) }, "\(addresses)")
            #expect(addresses.contains { IPv4Range("192.0.2.224", "192.0.2.231").contains($0) }, "\(addresses)")
        }
    }

    @Test("a Service created with the kube-vip.io/loadbalancerIPs annotation keeps that address, outside the pools")
    func staticAnnotation() async throws {
        try await CloudProviderCluster.with(allocator: true) { cluster in
            try await cluster.succeed(
                "create", "configmap", "-n", "kube-system", "kubevip", "--from-literal", "cidr-global=192.0.2.8/29")
            try await cluster.succeed(
                "apply", "-f", KubectlEnvironment.fixture("cloud-provider/nginx-service-static-ip.yaml"))

            let service = try await cluster.waitForAddress("nginx", inStatus: true)
            expectRecord(service, exactly: "203.0.113.10")
            let table = try await cluster.succeed("get", "svc")
            #expect(KubectlSeedTests.row("nginx", in: table.stdout)?[3] == "203.0.113.10", "\(table)")
        }
    }

    @Test("applying the static-address YAML over the plain one moves the Service to the requested address")
    func staticAnnotationApplied() async throws {
        try await CloudProviderCluster.with(allocator: true) { cluster in
            try await cluster.succeed(
                "create", "configmap", "-n", "kube-system", "kubevip", "--from-literal", "cidr-global=192.0.2.8/29")
            try await cluster.succeed("apply", "-f", KubectlEnvironment.fixture("nginx-service.yaml"))
            let fromPool = try await cluster.waitForAddress("nginx", inStatus: true)
            expectRecord(fromPool, from: IPv4Range("192.0.2.8", "192.0.2.15"))

            let configured = try await cluster.succeed(
                "apply", "-f", KubectlEnvironment.fixture("cloud-provider/nginx-service-static-ip.yaml"))
            #expect(configured.stdout.contains("service/nginx configured"), "\(configured)")
            let moved = try await eventually("nginx to show 203.0.113.10", within: .seconds(15)) {
                let table = try await cluster.succeed("get", "svc")
                return KubectlSeedTests.row("nginx", in: table.stdout)?[3] == "203.0.113.10" ? table : nil
            } diagnostics: {
                cluster.logTails()
            }
            #expect(!moved.stdout.contains(fromPool.recordedAddress ?? "?"), "\(moved)")
            let service = try await cluster.client.get(
                .services, namespace: "default", name: "nginx", as: KubernetesService.self)
            expectRecord(service, exactly: "203.0.113.10")
        }
    }

    @Test("`kubectl expose --load-balancer-ip` is honoured and recorded as the annotation")
    func exposeWithAddress() async throws {
        try await CloudProviderCluster.with(allocator: true) { cluster in
            try await cluster.succeed(
                "create", "configmap", "-n", "kube-system", "kubevip", "--from-literal", "cidr-global=192.0.2.8/29")
            try await cluster.exposeNginx("--load-balancer-ip=203.0.113.20")

            let service = try await cluster.waitForAddress("nginx", inStatus: true)
            expectRecord(service, exactly: "203.0.113.20")
            let table = try await cluster.succeed("get", "svc")
            #expect(KubectlSeedTests.row("nginx", in: table.stdout)?[3] == "203.0.113.20", "\(table)")
        }
    }

    /// The seed shows EXTERNAL-IP `0.0.0.0` at first: in its day the cloud provider's framework copied the
    /// chosen address into the status. Today (and here) the status belongs to the node agent, which writes the
    /// leased address; until then the Service is `<pending>`.
    @Test("`kubectl expose --load-balancer-ip=0.0.0.0` passes the DHCP request through as annotation 0.0.0.0")
    func dhcpSentinel() async throws {
        try await CloudProviderCluster.with(allocator: true) { cluster in
            try await cluster.succeed(
                "create", "configmap", "-n", "kube-system", "kubevip", "--from-literal", "cidr-global=192.0.2.8/29")
            try await cluster.exposeNginx("--load-balancer-ip=0.0.0.0", name: "nginx-dhcp")

            let service = try await cluster.waitForAddress("nginx-dhcp")
            expectRecord(service, exactly: "0.0.0.0")
            #expect(service.status?.loadBalancer?.ingress ?? [] == [])
            let table = try await cluster.succeed("get", "svc")
            let row = KubectlSeedTests.row("nginx-dhcp", in: table.stdout)
            #expect(row?[1] == "LoadBalancer", "\(table)")
            #expect(row?[3] == "<pending>", "\(table)")
        }
    }

    /// The EXTERNAL-IP cell of `kubectl get svc -A` (NAMESPACE NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE).
    static func externalIP(_ name: String, namespace: String, in output: String) -> String? {
        output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .first { $0.count > 4 && $0[0] == namespace && $0[1] == name }?[4]
    }
}
}

extension CloudProviderCluster {
    /// Runs kubectl and requires exit status 0.
    @discardableResult
    func succeed(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> KubectlProcess.Result
    {
        let result = try await kubectl(arguments)
        try #require(
            result.status == 0, "kubectl \(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
        return result
    }

    /// The seed's `kubectl create deployment nginx-deployment` and `kubectl expose deployment …
    /// --type=LoadBalancer --name=nginx`, with any extra flags.
    func exposeNginx(_ extra: String..., name: String = "nginx") async throws {
        try await succeed("create", "deployment", "nginx-deployment", "--image=nginx")
        let exposed = try await kubectl(
            ["expose", "deployment", "nginx-deployment", "--port=80", "--type=LoadBalancer", "--name=\(name)"] + extra)
        try #require(exposed.status == 0, "\(exposed)")
        #expect(exposed.stdout.contains("service/\(name) exposed"), "\(exposed)")
    }
}
