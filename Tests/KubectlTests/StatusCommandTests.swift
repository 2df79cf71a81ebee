import Foundation
import KubernetesClient
import KubernetesModels
import Testing

extension ChildProcessSuites {
/// `kube-vip status`, the built binary, against `kube-vip dev` (with its in-process allocator) after the seed's
/// ConfigMap and Services were applied with the real kubectl. Addresses are the seed's, moved into the
/// documentation ranges (RFC 5737); nothing here reaches a wire, as no node agent runs.
@Suite(
    "kube-vip status, the binary, against kube-vip dev",
    .enabled(if: DevBinary.path != nil, "the kube-vip binary was not found next to the test runner"),
    .enabled(if: KubectlProcess.isAvailable, "kubectl is not installed at /usr/bin/kubectl"),
    .timeLimit(.minutes(2))
)
struct StatusCommandTests {
    static let sharedAddress = "203.0.113.20"

    @Test("the text report shows each pool's use, each Service's address, pool and holder, and every problem")
    func textReport() async throws {
        try await StatusWorld.with { world in
            let result = try await world.status()
            #expect(result.status == 0, "\(result)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(result.stdout.hasPrefix("ConfigMap kube-system/kubevip: 3 pools\n"), "\(result.stdout)")

            // Pools: one row each, with capacity, in use, free and the bar.
            let defaultPool = try #require(Self.cells(startingWith: "cidr-default", in: lines), "\(result.stdout)")
            #expect(defaultPool[1...5] == ["default", "IPv4", "8", "1", "7"], "\(defaultPool)")
            #expect(defaultPool[6...7] == ["[##..................]", "12%"], "\(defaultPool)")
            let finance = try #require(Self.cells(startingWith: "cidr-finance", in: lines))
            #expect(finance[1...6] == ["finance", "IPv4", "16", "0", "16", "[....................]"], "\(finance)")
            #expect(Self.cells(startingWith: "cidr-global", in: lines) == nil, "cidr-global was removed")

            // Services, sorted by namespace and name.
            let serviceNames = lines.compactMap { line -> String? in
                guard let first = line.split(separator: " ").first, first.contains("/"), !line.hasPrefix(" ")
                else { return nil }
                return String(first)
            }
            #expect(
                serviceNames == [
                    "default/dup-a", "default/dup-b", "default/nginx", "development/nginx", "finance/nginx",
                    "marketing/nginx",
                ], "\(result.stdout)")

            let held = try #require(Self.cells(startingWith: "default/nginx", in: lines))
            #expect(held[1] == "served" && held[3] == "cidr-default" && held[4] == "node-1" && held[5] == "-", "\(held)")
            let pending = try #require(Self.cells(startingWith: "marketing/nginx", in: lines))
            #expect(pending[1] == "pending" && pending[2] == "-", "\(pending)")
            for name in ["default/dup-a", "default/dup-b"] {
                let row = try #require(Self.cells(startingWith: name, in: lines))
                #expect(row[2] == Self.sharedAddress && row[5].contains("conflict"), "\(row)")
            }

            // The reasons, in full.
            #expect(
                lines.contains("  marketing/nginx: warning: pending: no address pool serves namespace marketing "
                    + "(no cidr-/range-marketing and no cidr-/range-global)"), "\(result.stdout)")
            #expect(lines.contains { $0.hasPrefix("  marketing/nginx: warning: last event: Warning NoAddressPool") })
            #expect(
                lines.contains { $0.hasPrefix("  default/dup-b: error: conflict: \(Self.sharedAddress) is also used by default/dup-a") },
                "\(result.stdout)")
            #expect(lines.contains { $0.hasPrefix("  finance/nginx: note: 203.0.113.10 is outside every pool") })
            #expect(lines.contains { $0.hasPrefix("  development/nginx: warning: no holder") })
            #expect(lines.last?.hasPrefix("3 pools; 6 Services: 1 served, 4 unheld, 1 pending; 2 errors,") == true, "\(result.stdout)")
            #expect(result.stderr.isEmpty, "\(result)")
        }
    }

    @Test("-o json gives scripts the same report with stable field names; -n lists one namespace")
    func jsonReport() async throws {
        try await StatusWorld.with { world in
            let result = try await world.status("-o", "json")
            #expect(result.status == 0, "\(result)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
            let pools = try #require(object["pools"] as? [[String: Any]])
            #expect(pools.compactMap { $0["name"] as? String } == ["cidr-default", "cidr-finance", "range-development"])
            #expect(pools.first?["capacity"] as? String == "8")
            #expect(pools.first?["inUse"] as? Int == 1)
            let services = try #require(object["services"] as? [[String: Any]])
            let pending = try #require(services.first { $0["namespace"] as? String == "marketing" })
            #expect(pending["state"] as? String == "pending")
            let kinds = (pending["problems"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.contains("pending") && kinds.contains("warningEvent"), "\(kinds)")
            let summary = try #require(object["summary"] as? [String: Any])
            #expect(summary["services"] as? Int == 6)
            #expect(summary["pending"] as? Int == 1)

            let filtered = try await world.status("-o", "json", "-n", "marketing")
            let filteredObject = try #require(
                try JSONSerialization.jsonObject(with: Data(filtered.stdout.utf8)) as? [String: Any], "\(filtered)")
            let names = (filteredObject["services"] as? [[String: Any]] ?? []).compactMap { $0["namespace"] as? String }
            #expect(names == ["marketing"])
        }
    }

    @Test("--fail-on-problem exits 2 when the report has errors or warnings, and still prints it")
    func failOnProblem() async throws {
        try await StatusWorld.with { world in
            let result = try await world.status("--fail-on-problem")
            #expect(result.status == 2, "\(result)")
            #expect(result.stdout.contains("Service problems:"))
        }
    }

    /// The table row whose first cell is `first`, split into cells (no cell of these rows contains spaces).
    static func cells(startingWith first: String, in lines: [String]) -> [String]? {
        lines.first { $0.hasPrefix(first + " ") }.map { $0.split(separator: " ").map(String.init) }
    }
}
}

/// The seed's objects in `kube-vip dev`, applied with kubectl: the example ConfigMap without its global pool
/// (so `marketing` has none), nginx allocated in `default` and `development`, the seed's static-address
/// Service in `finance` (outside every pool), nginx pending in `marketing`, and two Services asking for one
/// address on one port. default/nginx is served by node-1 (its vipHost and Lease say so), as a node agent
/// would record it.
struct StatusWorld {
    let cluster: CloudProviderCluster

    static func with(_ body: (StatusWorld) async throws -> Void) async throws {
        try await CloudProviderCluster.with(allocator: true) { cluster in
            let world = StatusWorld(cluster: cluster)
            try await world.applySeed()
            try await body(world)
        }
    }

    func applySeed() async throws {
        try await succeed("apply", "-f", KubectlEnvironment.fixture("cloud-provider/kubevip-configmap.yaml"))
        try await succeed(
            "patch", "configmap", "kubevip", "-n", "kube-system", "--type=json",
            "-p", #"[{"op":"remove","path":"/data/cidr-global"}]"#)
        for namespace in ["development", "finance", "marketing"] {
            try await succeed("create", "namespace", namespace)
        }
        let nginx = KubectlEnvironment.fixture("nginx-service.yaml")
        for namespace in ["default", "development", "marketing"] {
            try await succeed("apply", "-f", nginx, "-n", namespace)
        }
        try await succeed(
            "apply", "-f", KubectlEnvironment.fixture("cloud-provider/nginx-service-static-ip.yaml"), "-n", "finance")
        // The first claim of an address wins it; the second asks for it too.
        try await succeed("apply", "-f", try write("dup-a.yaml", Self.duplicate("dup-a")))
        _ = try await cluster.waitForAddress("dup-a", inStatus: true)
        try await succeed("apply", "-f", try write("dup-b.yaml", Self.duplicate("dup-b")))
        _ = try await cluster.waitForAddress("nginx", inStatus: true)
        _ = try await cluster.waitForAddress("nginx", namespace: "development", inStatus: true)
        _ = try await cluster.waitForAddress("nginx", namespace: "finance", inStatus: true)
        // The allocator's Warning for the Service it cannot serve.
        _ = try await eventually("a NoAddressPool Event for marketing/nginx", within: .seconds(15)) {
            let events = try await cluster.client.listAll(.events, namespace: "marketing", as: Event.self).items
            return events.first { $0.reason == "NoAddressPool" && $0.involvedObject.name == "nginx" }
        }

        // What a node agent on node-1 would have recorded for default/nginx.
        try await succeed("annotate", "service", "nginx", "-n", "default", "kube-vip.io/vipHost=node-1")
        try await succeed("apply", "-f", try write("lease.yaml", Self.lease(renewed: MicroTime(Date()))))
    }

    func status(_ arguments: String...) async throws -> KubectlProcess.Result {
        guard let binary = DevBinary.path else { throw DevTestFailure("no kube-vip binary") }
        let child = try KubectlProcess(
            ["status", "--kubeconfig", cluster.kubeconfig] + arguments,
            environment: ["HOME": cluster.home.path, "PATH": "/usr/bin:/bin"], executable: binary)
        return await child.waitForExit()
    }

    @discardableResult
    func succeed(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> KubectlProcess.Result
    {
        let result = try await cluster.kubectl(arguments)
        try #require(
            result.status == 0, "kubectl \(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
        return result
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = cluster.root.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func duplicate(_ name: String) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
          namespace: default
          annotations:
            kube-vip.io/loadbalancerIPs: "\(ChildProcessSuites.StatusCommandTests.sharedAddress)"
        spec:
          type: LoadBalancer
          selector: {app: \(name)}
          ports: [{name: http, port: 80, protocol: TCP}]

        """
    }

    static func lease(renewed: MicroTime) -> String {
        """
        apiVersion: coordination.k8s.io/v1
        kind: Lease
        metadata:
          name: kubevip-nginx
          namespace: default
        spec:
          holderIdentity: node-1
          leaseDurationSeconds: 3600
          renewTime: "\(renewed)"

        """
    }
}
