import Foundation
import NetworkLab
import Testing

/// UPnP mode end to end: real `kube-vip manager` processes map Service ports on a real miniupnpd (`gw`,
/// 198.51.100.254 on the lab's bridge, external address 100.128.0.1 towards a WAN namespace). What is checked
/// is what miniupnpd lists (`upnpc -l`), what the Service says, and whether a TCP connection from the WAN side
/// reaches the node holding the address. Every node runs a text server on the Service port that names the node.
@Suite(
    "UPnP mode in network namespaces",
    .serialized,
    .enabled(if: NetworkLab.unavailableReason() == nil, "\(NetworkLab.unavailableReason() ?? "")"),
    .enabled(if: AgentBinary.path != nil, "the kube-vip binary was not found next to the test runner"),
    .enabled(
        if: AgentLabRequirements.toolsPresent,
        "missing tools: \(AgentLabRequirements.missingTools.joined(separator: ", "))"),
    .enabled(
        if: MiniupnpdGateway.missingTools().isEmpty,
        "missing tools: \(MiniupnpdGateway.missingTools().joined(separator: ", ")) (packages miniupnpd, miniupnpc, nftables, socat)"),
    .timeLimit(.minutes(3))
)
struct UPnPModeNetnsTests {
    static let gatewayHost = HostSpec.host("gw", 254)
    static let vip = "198.51.100.100"
    static let upnp = NodeAgentLab.ManagerSettings(extra: ["enable_upnp": "true"])

    /// The lab with a gateway, return routes and a text server on `port` on every node.
    static func withGateway(
        nodeCount: Int = 3, allocator: Bool = false, configuration: MiniupnpdConfiguration = MiniupnpdConfiguration(),
        ports: [UInt16] = [32380], _ body: (NodeAgentLab, MiniupnpdGateway) async throws -> Void
    ) async throws {
        try await withAgentLab(nodeCount: nodeCount, extraHosts: [gatewayHost], allocator: allocator) { lab in
            let gateway = try await MiniupnpdGateway.start(
                in: lab.lab, host: try lab.lab.host("gw"), configuration: configuration)
            for node in lab.nodes {
                try await gateway.addReturnRoute(on: node)
                for port in ports {
                    _ = try await lab.lab.startTextServer(in: node, port: port, text: "hello from \(node.name)")
                }
            }
            do {
                try await body(lab, gateway)
            } catch {
                print("--- miniupnpd log:\n\(gateway.log())")
                throw error
            }
        }
    }

    static func serviceManifest(
        name: String = "web", address: String = vip, ports: [Int] = [32380], annotations: [String: String] = [:]
    ) -> String {
        let base = [
            "kube-vip.io/loadbalancerIPs": address, "kube-vip.io/allow-reconcile-without-endpoints": "true",
            "kube-vip.io/forwardUPNP": "true",
        ]
        let lines = base.merging(annotations) { $1 }.sorted { $0.key < $1.key }.map { "    \($0.key): \"\($0.value)\"" }
        let portLines = ports.map { "  - name: p\($0)\n    port: \($0)\n    protocol: TCP\n    targetPort: 80" }
        return """
            apiVersion: v1
            kind: Service
            metadata:
              name: \(name)
              namespace: default
              annotations:
            \(lines.joined(separator: "\n"))
            spec:
              type: LoadBalancer
              selector:
                app: \(name)
              ports:
            \(portLines.joined(separator: "\n"))

            """
    }

    /// Waits until miniupnpd's mappings satisfy `condition`; returns them.
    @discardableResult
    static func mappings(
        _ what: String, in gateway: MiniupnpdGateway, lab: NodeAgentLab, within limit: Duration = .seconds(20),
        until condition: @escaping @Sendable ([MiniupnpdMapping]) -> Bool
    ) async throws -> [MiniupnpdMapping] {
        try await eventually(what, within: limit, every: .milliseconds(200)) {
            let mappings = try await gateway.mappings()
            return condition(mappings) ? mappings : nil
        } diagnostics: {
            "mappings: \((try? await gateway.mappings()) ?? [])\nminiupnpd:\n\(gateway.log())\n\(await lab.diagnostics())"
        }
    }

    static func events(_ reason: String, in lab: NodeAgentLab) async throws -> String {
        let events = try await lab.kubectl(
            "get", "events", "-n", "default", "--field-selector", "reason=\(reason)", "-o",
            "custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message", "--no-headers")
        return events.stdout
    }

    @Test("the seed's example: a Service on port 32380 is forwarded from the gateway's external address to the node holding it")
    func seedScenario() async throws {
        try await Self.withGateway(allocator: true) { lab, gateway in
            let pool = try await lab.kubectl(
                "create", "configmap", "kubevip", "-n", "kube-system", "--from-literal=range-plunder=198.51.100.100-198.51.100.100")
            try #require(pool.succeeded, "\(pool)")
            try lab.startManagers(settings: Self.upnp)
            for command in [
                ["create", "namespace", "plunder"],
                ["create", "deployment", "plunder-nginx", "--image=nginx", "--namespace", "plunder"],
                ["expose", "deployment", "plunder-nginx", "--port=32380", "--target-port=80", "--type=LoadBalancer", "--namespace", "plunder"],
            ] {
                let result = try await lab.kubectl(command)
                try #require(result.succeeded, "\(command): \(result)")
            }
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "plunder-nginx", namespace: "plunder", nodeName: "node2"))
            let start = ContinuousClock.now
            let annotated = try await lab.kubectl(
                "annotate", "service", "plunder-nginx", "--namespace", "plunder", "kube-vip.io/forwardUPNP=true")
            try #require(annotated.succeeded, "\(annotated)")

            let mappings = try await Self.mappings("the Service port mapped", in: gateway, lab: lab) {
                $0.contains { $0.externalPort == 32380 }
            }
            reportTiming("UPnP: Service annotated → port mapped on the gateway \(milliseconds(since: start)) ms")
            let holder = try await lab.waitForSingleHolder(of: Self.vip)
            let mapping = try #require(mappings.first)
            #expect(mappings.count == 1, "\(mappings)")
            #expect(mapping.protocol == "TCP")
            #expect(mapping.internalClient == Self.vip)
            #expect(mapping.internalPort == 32380)
            #expect(mapping.description == "kube-vip plunder/plunder-nginx \(holder.name)")
            #expect(mapping.remainingLease > 3500 && mapping.remainingLease <= 3600, "the default lease: \(mapping)")

            let reply = try await gateway.connect(toExternalPort: 32380)
            #expect(reply?.contains("hello from \(holder.name)") == true, "from the WAN side: \(String(describing: reply))")

            let ingress = try await eventually("the gateway's address in the status", within: .seconds(10)) {
                let ingress = try await lab.jsonpath("service", "plunder-nginx", namespace: "plunder", "{.status.loadBalancer.ingress[*].ip}")
                return ingress?.contains(MiniupnpdGateway.externalAddress) == true ? ingress : nil
            }
            #expect(ingress == "\(Self.vip) \(MiniupnpdGateway.externalAddress)")
            let forwarded = try await lab.kubectl(
                "get", "events", "-n", "plunder", "--field-selector", "reason=UPnPPortsForwarded", "-o", "jsonpath={.items[*].message}")
            #expect(forwarded.stdout.contains("100.128.0.1 TCP 32380"), "\(forwarded)")
            let metrics = try await NodeAgentNetnsTests.metrics(of: holder, in: lab)
            #expect(metrics.contains("kube_vip_upnp_mappings 1"), "\(metrics)")
            #expect(metrics.contains(#"kube_vip_upnp_requests_total{action="AddPortMapping",result="ok"}"#), "\(metrics)")
            for node in lab.nodes where node != holder {
                let others = try await NodeAgentNetnsTests.metrics(of: node, in: lab)
                #expect(!others.contains("AddPortMapping"), "only the holder maps: \(node.name)")
            }
        }
    }

    @Test("deleting the Service deletes its mapping")
    func deletionDeletesTheMapping() async throws {
        try await Self.withGateway(nodeCount: 1) { lab, gateway in
            try lab.startManagers(settings: Self.upnp)
            let applied = ContinuousClock.now
            try await lab.apply(Self.serviceManifest())
            try await Self.mappings("the mapping", in: gateway, lab: lab) { $0.count == 1 }
            reportTiming("UPnP: Service applied (agent just started) → port mapped \(milliseconds(since: applied)) ms")
            let deleted = try await lab.kubectl("delete", "service", "web")
            try #require(deleted.succeeded, "\(deleted)")
            let start = ContinuousClock.now
            try await Self.mappings("the mapping deleted", in: gateway, lab: lab) { $0.isEmpty }
            reportTiming("UPnP: Service deleted → mapping deleted \(milliseconds(since: start)) ms")
            #expect(try await gateway.connect(toExternalPort: 32380) == nil)
            #expect(!(try await lab.lab.hasAddress(Self.vip, in: lab.nodes[0])), "the address is withdrawn after the deletion")
        }
    }

    @Test("a port change replaces the mapping; dropping the opt-in deletes it and the gateway's address leaves the status")
    func portChangeAndOptOut() async throws {
        try await Self.withGateway(nodeCount: 1, ports: [32380, 32443]) { lab, gateway in
            try lab.startManagers(settings: Self.upnp)
            try await lab.apply(Self.serviceManifest())
            try await Self.mappings("32380 mapped", in: gateway, lab: lab) { $0.map(\.externalPort) == [32380] }
            try await lab.apply(Self.serviceManifest(ports: [32443]))
            try await Self.mappings("32443 instead of 32380", in: gateway, lab: lab) { $0.map(\.externalPort) == [32443] }
            #expect(try await gateway.connect(toExternalPort: 32443)?.contains("hello from node1") == true)

            try await lab.apply(Self.serviceManifest(ports: [32443], annotations: ["kube-vip.io/forwardUPNP": "false"]))
            try await Self.mappings("no mapping after the opt-out", in: gateway, lab: lab) { $0.isEmpty }
            _ = try await eventually("the status without the gateway's address", within: .seconds(10)) {
                let ingress = try await lab.jsonpath("service", "web", namespace: "default", "{.status.loadBalancer.ingress[*].ip}")
                return ingress == Self.vip ? true : nil
            }
            #expect(try await lab.lab.hasAddress(Self.vip, in: lab.nodes[0]), "the address itself stays served")
        }
    }

    @Test("an external port someone else has mapped is left alone and reported in a Warning Event")
    func conflictIsAWarning() async throws {
        try await Self.withGateway(nodeCount: 1) { lab, gateway in
            try await gateway.addMapping(
                from: lab.client, internalPort: 8080, externalPort: 32380, description: "someone else", leaseDuration: 3600)
            try lab.startManagers(settings: Self.upnp)
            try await lab.apply(Self.serviceManifest())
            let warning = try await eventually("a UPnPPortConflict Warning", within: .seconds(20)) {
                let events = try await Self.events("UPnPPortConflict", in: lab)
                return events.isEmpty ? nil : events
            } diagnostics: {
                await lab.diagnostics()
            }
            #expect(warning.hasPrefix("Warning"), "\(warning)")
            #expect(warning.contains("\(lab.client.ipv4):8080"), "names the owner: \(warning)")
            let mappings = try await gateway.mappings()
            #expect(mappings.map(\.internalClient) == [lab.client.ipv4], "theirs is untouched: \(mappings)")
        }
    }

    @Test("a gateway in secure mode accepts the mapping, because the node asks from the VIP it maps to")
    func secureModeGateway() async throws {
        var configuration = MiniupnpdConfiguration()
        configuration.secureMode = true
        try await Self.withGateway(nodeCount: 1, configuration: configuration) { lab, gateway in
            try lab.startManagers(settings: Self.upnp)
            try await lab.apply(Self.serviceManifest())
            let mappings = try await Self.mappings("the mapping", in: gateway, lab: lab) { $0.count == 1 }
            #expect(mappings.first?.internalClient == Self.vip)
            #expect(try await gateway.connect(toExternalPort: 32380)?.contains("hello from node1") == true)
            _ = try await lab.kubectl("delete", "service", "web")
            try await Self.mappings("the mapping deleted, also in secure mode", in: gateway, lab: lab) { $0.isEmpty }
        }
    }

    @Test("node lost: the next holder refreshes the mapping under its own name and the WAN side reaches it")
    func failoverMovesTheMapping() async throws {
        try await Self.withGateway { lab, gateway in
            try lab.startManagers(settings: Self.upnp)
            try await lab.apply(Self.serviceManifest())
            let first = try await Self.mappings("the mapping", in: gateway, lab: lab) { $0.count == 1 }
            let leader = try await lab.waitForSingleHolder(of: Self.vip)
            #expect(first.first?.description.hasSuffix(leader.name) == true, "\(first)")
            #expect(try await gateway.connect(toExternalPort: 32380)?.contains("hello from \(leader.name)") == true)

            lab.manager(on: leader)?.signal(SIGKILL)
            try await lab.lab.ip("-n", leader.namespace, "link", "set", "eth0", "down")
            let lost = ContinuousClock.now
            let moved = try await Self.mappings("the mapping refreshed by another node", in: gateway, lab: lab, within: .seconds(30)) {
                $0.count == 1 && $0.first?.description.hasSuffix(leader.name) == false
            }
            reportTiming("UPnP: node lost → mapping refreshed by the next holder \(milliseconds(since: lost)) ms")
            // The killed node keeps the address on its cut-off interface; the others must agree on one holder.
            let next = try await eventually("another node to hold \(Self.vip)", within: .seconds(10)) {
                let holders = try await lab.holders(of: Self.vip).filter { $0 != leader }
                return holders.count == 1 ? holders.first : nil
            }
            #expect(moved.first?.description == "kube-vip default/web \(next.name)")
            #expect(moved.first?.internalClient == Self.vip)
            let reply = try await eventually("the WAN side to reach \(next.name)", within: .seconds(10)) {
                let reply = try await gateway.connect(toExternalPort: 32380)
                return reply?.contains("hello from \(next.name)") == true ? reply : nil
            }
            #expect(reply.contains(next.name))
        }
    }

    @Test("SIGTERM deletes the mappings from the VIP before the address goes")
    func gracefulShutdownDeletes() async throws {
        try await Self.withGateway(nodeCount: 1) { lab, gateway in
            let node = lab.nodes[0]
            try lab.startManager(on: node, settings: Self.upnp)
            try await lab.apply(Self.serviceManifest())
            try await Self.mappings("the mapping", in: gateway, lab: lab) { $0.count == 1 }
            lab.manager(on: node)?.signal(SIGTERM)
            let exit = await lab.manager(on: node)?.exit()
            #expect(exit == .exited(0), "the manager exits cleanly: \(String(describing: exit))")
            #expect(try await gateway.mappings().isEmpty, "deleted before the process ended")
            #expect(!(try await lab.lab.hasAddress(Self.vip, in: node)))
            // miniupnpd logs each request's source, then the action: the deletion came from the VIP, so the
            // address was still there when the gateway heard it. Only SOAP POSTs count: a description GET of
            // another connection may be logged between a POST's request line and its action.
            let log = gateway.log()
            let lines = log.components(separatedBy: "\n")
            let deletion = try #require(lines.firstIndex { $0.contains("#DeletePortMapping") }, "\(log)")
            let request = lines[..<deletion].last { $0.contains("HTTP REQUEST from") && $0.contains(": POST ") }
            #expect(request?.contains("[::ffff:\(Self.vip)]") == true, "\(String(describing: request)) in\n\(log)")
        }
    }
}
