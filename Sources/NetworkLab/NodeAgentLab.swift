import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The node agent's end-to-end layout on a `NetworkLab`, shared by the namespace tests and the failover
/// benchmark: `kube-vip dev` in an `api` host (198.51.100.5:6443), node hosts for `kube-vip manager`
/// (node1 .11, node2 .12, …), a `client` (.20), and any extra hosts a scenario needs.
///
/// kubectl runs inside the api namespace, because the API server's address exists only on the lab's wire.
public final class NodeAgentLab: Sendable {
    public static let apiAddress = "198.51.100.5"
    public static let apiPort = 6443
    public static let clientNumber: UInt8 = 20

    public let lab: NetworkLab
    /// The `kube-vip` executable every process of the lab runs.
    public let binary: String
    public let api: LabHost
    public let client: LabHost
    public let nodes: [LabHost]
    /// The kubeconfig `kube-vip dev` wrote (server http://198.51.100.5:6443).
    public let kubeconfig: String
    public let dev: LabProcess
    private let home: URL
    private let managers = Mutex<[String: LabProcess]>([:])
    private let manifestSequence = Mutex(0)

    private init(
        lab: NetworkLab, binary: String, api: LabHost, client: LabHost, nodes: [LabHost], kubeconfig: String,
        dev: LabProcess, home: URL
    ) {
        self.lab = lab
        self.binary = binary
        self.api = api
        self.client = client
        self.nodes = nodes
        self.kubeconfig = kubeconfig
        self.dev = dev
        self.home = home
    }

    /// Builds the lab, starts `kube-vip dev` and waits until it serves; no manager runs yet.
    ///
    /// - Parameters:
    ///   - nodeCount: node1 … nodeN at 198.51.100.11 ….
    ///   - extraHosts: more hosts on the same switch (e.g. a foreign owner of an address).
    ///   - ipv6: every host also gets 2001:db8::N/64.
    ///   - allocator: run `kube-vip dev` with its allocator (the cloud-provider role), which hands out addresses
    ///     from the `kubevip` ConfigMap; off by default, so tests give Services their addresses themselves.
    public static func with<T: Sendable>(
        binary: String, nodeCount: Int = 3, extraHosts: [HostSpec] = [], ipv6: Bool = false, allocator: Bool = false,
        _ body: (NodeAgentLab) async throws -> T
    ) async throws -> T {
        let nodeSpecs = (1...max(1, nodeCount)).map { HostSpec.host("node\($0)", UInt8(10 + $0), ipv6: ipv6) }
        let specs =
            [HostSpec.host("api", 5, ipv6: ipv6)] + nodeSpecs + [HostSpec.host("client", clientNumber, ipv6: ipv6)]
            + extraHosts
        return try await NetworkLab.with(hosts: specs) { lab in
            let home = lab.directory.appendingPathComponent("home")
            let data = lab.directory.appendingPathComponent("dev")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let api = try lab.host("api")
            let dev = try lab.spawn(
                in: api,
                [
                    binary, "dev", "--host", apiAddress, "--port", String(apiPort), "--ephemeral", "--data-dir",
                    data.path,
                ] + (allocator ? [] : ["--no-allocator"]), environment: ["HOME": home.path], name: "kube-vip dev")
            let kubeconfig = try await NetworkLab.eventually(
                "kube-vip dev to print its KUBECONFIG", within: .seconds(60)
            ) {
                () -> String? in
                if let line = dev.stdout.split(separator: "\n").first(where: { $0.hasPrefix("export KUBECONFIG=") }) {
                    return String(line.dropFirst("export KUBECONFIG=".count))
                }
                if let status = dev.exitStatus {
                    throw NetworkLabError.spawnFailed("kube-vip dev ended (\(status)):\n\(dev.stderrTail())")
                }
                return nil
            } diagnostics: {
                dev.stderrTail()
            }
            let agentLab = NodeAgentLab(
                lab: lab, binary: binary, api: api, client: try lab.host("client"),
                nodes: try nodeSpecs.map { try lab.host($0.name) }, kubeconfig: kubeconfig, dev: dev, home: home)
            return try await body(agentLab)
        }
    }

    // MARK: Node agents

    /// How the managers are configured: upstream's environment variables.
    public struct ManagerSettings: Sendable, Hashable {
        public var leaseDuration: Int
        public var renewDeadline: Int
        public var retryPeriod: Int
        /// `svc_election=true`: a Lease per Service instead of the global `plndr-svcs-lock`.
        public var perServiceElection: Bool
        /// `vip_arpRate` in milliseconds, nil for the agent's default.
        public var arpRate: Int?
        /// More variables, overriding the ones above.
        public var extra: [String: String]

        public init(
            leaseDuration: Int = 5, renewDeadline: Int = 3, retryPeriod: Int = 1, perServiceElection: Bool = false,
            arpRate: Int? = 1000, extra: [String: String] = [:]
        ) {
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
            self.perServiceElection = perServiceElection
            self.arpRate = arpRate
            self.extra = extra
        }

        /// Upstream's recommended fast setting, 5 s / 3 s / 1 s.
        public static let fast = ManagerSettings()
        /// Upstream's defaults, 15 s / 10 s / 2 s.
        public static let defaults = ManagerSettings(leaseDuration: 15, renewDeadline: 10, retryPeriod: 2)

        func environment(nodeName: String, kubeconfig: String) -> [String: String] {
            var environment = [
                "vip_arp": "true", "svc_enable": "true", "vip_interface": "eth0", "vip_nodename": nodeName,
                "k8s_config_file": kubeconfig, "vip_leaseduration": String(leaseDuration),
                "vip_renewdeadline": String(renewDeadline), "vip_retryperiod": String(retryPeriod),
                "svc_election": perServiceElection ? "true" : "false", "prometheus_server": ":2112",
            ]
            if let arpRate { environment["vip_arpRate"] = String(arpRate) }
            environment.merge(extra) { _, given in given }
            return environment
        }
    }

    /// Starts `kube-vip manager` in `node`'s namespace (replacing the record of an earlier one there).
    @discardableResult
    public func startManager(on node: LabHost, settings: ManagerSettings = .fast) throws -> LabProcess {
        var environment = settings.environment(nodeName: node.name, kubeconfig: kubeconfig)
        environment["HOME"] = home.path
        let process = try lab.spawn(
            in: node, [binary, "manager"], environment: environment, name: "manager \(node.name)")
        managers.withLock { $0[node.name] = process }
        return process
    }

    /// Starts a manager on every node.
    @discardableResult
    public func startManagers(settings: ManagerSettings = .fast) throws -> [LabProcess] {
        try nodes.map { try startManager(on: $0, settings: settings) }
    }

    /// The manager last started on `node`.
    public func manager(on node: LabHost) -> LabProcess? {
        managers.withLock { $0[node.name] }
    }

    public func node(named name: String) -> LabHost? { nodes.first { $0.name == name } }
    public func node(withMAC mac: String) -> LabHost? { nodes.first { $0.mac.lowercased() == mac.lowercased() } }

    // MARK: kubectl

    /// `kubectl arguments…` inside the api namespace, with the lab's kubeconfig, HOME and cache.
    public func kubectl(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> CommandResult {
        try await lab.run(
            in: api,
            ["kubectl", "--kubeconfig", kubeconfig, "--cache-dir", home.appendingPathComponent("cache").path]
                + arguments, environment: ["HOME": home.path], timeout: timeout)
    }

    public func kubectl(_ arguments: String...) async throws -> CommandResult { try await kubectl(arguments) }

    /// `kubectl apply --validate=false -f` of `manifest`; throws unless kubectl succeeds.
    @discardableResult
    public func apply(_ manifest: String) async throws -> CommandResult {
        let number = manifestSequence.withLock { value in
            value += 1
            return value
        }
        let file = lab.directory.appendingPathComponent("manifest-\(number).yaml")
        try Data(manifest.utf8).write(to: file)
        let result = try await kubectl("apply", "--validate=false", "-f", file.path)
        guard result.succeeded else { throw NetworkLabError.commandFailed(result) }
        return result
    }

    /// A jsonpath of an object, nil when the object does not exist or the value is empty.
    public func jsonpath(_ resource: String, _ name: String, namespace: String, _ path: String) async throws -> String?
    {
        let result = try await kubectl("get", resource, name, "-n", namespace, "-o", "jsonpath=\(path)")
        guard result.succeeded else {
            if result.stderr.contains("NotFound") || result.stderr.contains("not found") { return nil }
            throw NetworkLabError.commandFailed(result)
        }
        let value = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// The holder of a Lease (`plndr-svcs-lock` in kube-system by default), nil when absent or released.
    public func leaseHolder(_ name: String = "plndr-svcs-lock", namespace: String = "kube-system") async throws
        -> String?
    {
        try await jsonpath("lease", name, namespace: namespace, "{.spec.holderIdentity}")
    }

    /// The node a Service's `kube-vip.io/vipHost` annotation names.
    public func vipHost(of service: String, namespace: String = "default") async throws -> String? {
        try await jsonpath("service", service, namespace: namespace, #"{.metadata.annotations.kube-vip\.io/vipHost}"#)
    }

    /// The Service's `status.loadBalancer.ingress` as JSON text.
    public func ingress(of service: String, namespace: String = "default") async throws -> String? {
        try await jsonpath("service", service, namespace: namespace, "{.status.loadBalancer.ingress}")
    }

    // MARK: The wire

    /// The nodes that have `address` on `device` (eth0 by default, any device when nil).
    public func holders(of address: String, device: String? = "eth0") async throws -> [LabHost] {
        try await lab.hostsHolding(address, among: nodes, device: device)
    }

    /// Waits until exactly one node has `address` (on `device`, any when nil) and returns it.
    public func waitForSingleHolder(
        of address: String, device: String? = "eth0", within limit: Duration = .seconds(20)
    ) async throws -> LabHost {
        try await NetworkLab.eventually("exactly one node to hold \(address)", within: limit, every: .milliseconds(100))
        {
            let holders = try await self.holders(of: address, device: device)
            return holders.count == 1 ? holders.first : nil
        } diagnostics: {
            await self.diagnostics()
        }
    }

    /// The client's neighbour entry for `address`.
    public func clientNeighbour(for address: String) async throws -> NeighbourEntry? {
        try await lab.neighbourEntry(in: client, for: address)
    }

    /// One ping from the client.
    public func clientPing(_ address: String, timeoutSeconds: Int = 1) async throws -> Bool {
        try await lab.ping(from: client, to: address, timeoutSeconds: timeoutSeconds)
    }

    /// The last lines of every agent's and the API server's log, and where each address is, for failure messages.
    public func diagnostics(lines: Int = 25) async -> String {
        var text =
            "--- kube-vip dev (\(dev.exitStatus.map(\.description) ?? "running")):\n\(dev.stderrTail(lines: lines))"
        for node in nodes {
            if let manager = manager(on: node) {
                text += "\n--- manager \(node.name) (\(manager.exitStatus.map(\.description) ?? "running")):\n"
                text += manager.stderrTail(lines: lines)
            }
            let addresses = (try? await lab.addresses(in: node, device: nil)) ?? []
            text += "\n--- \(node.name) addresses: \(addresses.joined(separator: " "))"
        }
        return text
    }

    // MARK: Manifests

    /// A LoadBalancer Service with its address in `kube-vip.io/loadbalancerIPs` (none: the allocator's to give).
    public static func serviceManifest(
        name: String, namespace: String = "default", address: String?, localPolicy: Bool = false,
        allowWithoutEndpoints: Bool = false, port: Int = 80
    ) -> String {
        var annotations = address.map { "    kube-vip.io/loadbalancerIPs: \"\($0)\"\n" } ?? ""
        if allowWithoutEndpoints { annotations += "    kube-vip.io/allow-reconcile-without-endpoints: \"true\"\n" }
        // No ipFamilies: `kube-vip dev` is a single-stack IPv4 cluster; the annotation alone carries an IPv6
        // address, as upstream allows.
        return """
            apiVersion: v1
            kind: Service
            metadata:
              name: \(name)
              namespace: \(namespace)
              annotations:
            \(annotations)spec:
              type: LoadBalancer
              externalTrafficPolicy: \(localPolicy ? "Local" : "Cluster")
              selector:
                app: \(name)
              ports:
              - name: http
                port: \(port)
                protocol: TCP
                targetPort: 8080

            """
    }

    /// An EndpointSlice of `service` with one ready endpoint on `nodeName`.
    public static func endpointSliceManifest(
        service: String, namespace: String = "default", nodeName: String, ready: Bool = true,
        endpointAddress: String = "10.0.0.1", sliceName: String? = nil
    ) -> String {
        let family = endpointAddress.contains(":") ? "IPv6" : "IPv4"
        return """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: \(sliceName ?? "\(service)-slice")
              namespace: \(namespace)
              labels:
                kubernetes.io/service-name: \(service)
            addressType: \(family)
            endpoints:
            - addresses: ["\(endpointAddress)"]
              conditions:
                ready: \(ready)
              nodeName: \(nodeName)
            ports:
            - name: http
              port: 8080
              protocol: TCP

            """
    }
}
