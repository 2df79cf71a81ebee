import Foundation
import NetworkLab
import Testing

/// DHCP mode end to end: real `kube-vip manager` processes lease addresses from a real dnsmasq in its own
/// namespace (`dhcp`, 198.51.100.2, pool .50–.79) on the lab's bridge. What is checked is what dnsmasq saw
/// (its log and lease file), what the Service says, and who answers on the wire.
@Suite(
    "DHCP mode in network namespaces",
    .serialized,
    .enabled(if: NetworkLab.unavailableReason() == nil, "\(NetworkLab.unavailableReason() ?? "")"),
    .enabled(if: AgentBinary.path != nil, "the kube-vip binary was not found next to the test runner"),
    .enabled(
        if: AgentLabRequirements.toolsPresent,
        "missing tools: \(AgentLabRequirements.missingTools.joined(separator: ", "))"),
    .enabled(if: DnsmasqServer.isInstalled, "dnsmasq is not installed (package dnsmasq-base)"),
    .timeLimit(.minutes(3))
)
struct DHCPModeNetnsTests {
    static let server = HostSpec.host("dhcp", 2)

    @Test("the seed's example: `kubectl expose --load-balancer-ip=0.0.0.0` gets the DHCP server's address, and the client reaches it")
    func seedScenario() async throws {
        try await withAgentLab(extraHosts: [Self.server]) { lab in
            let dnsmasq = try await DnsmasqServer.start(in: lab.lab, host: try lab.lab.host("dhcp"))
            try lab.startManagers()
            let start = ContinuousClock.now
            try await Self.exposeNginx(in: lab)
            let address = try await Self.leasedAddress(of: "nginx-dhcp", in: lab)
            reportTiming("DHCP: Service exposed → leased address in its status \(milliseconds(since: start)) ms")

            let hwaddr = try #require(try await Self.annotation("hwaddr", of: "nginx-dhcp", in: lab))
            let lease = try #require(dnsmasq.lease(for: hwaddr), "dnsmasq leases: \(dnsmasq.leases())")
            #expect(lease.address == address)
            #expect(dnsmasq.leases().count == 1, "one lease for the cluster, not one per node: \(dnsmasq.leases())")
            #expect(try await Self.annotation("requestedIP", of: "nginx-dhcp", in: lab) == address)

            let holder = try await lab.waitForSingleHolder(of: address, device: nil)
            #expect(try await lab.vipHost(of: "nginx-dhcp") == holder.name)
            let uid = try #require(try await lab.jsonpath("service", "nginx-dhcp", namespace: "default", "{.metadata.uid}"))
            let macvlan = "vip-" + uid.prefix(8)
            #expect(try await Self.nodes(withLink: macvlan, in: lab) == [holder.name], "only the Lease holder runs a client")
            let filter = try await lab.lab.run(in: holder, ["cat", "/proc/sys/net/ipv4/conf/\(macvlan)/rp_filter"])
            #expect(filter.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "rp_filter: \(filter)")

            #expect(try await lab.clientPing(address, timeoutSeconds: 2))
            // The holder answers: from the macvlan (its announcements) or from its parent interface, whose kernel
            // also answers ARP for every local address unless the node sets arp_ignore.
            let entry = try await lab.clientNeighbour(for: address)
            await check(
                [hwaddr.lowercased(), holder.mac.lowercased()].contains(entry?.mac ?? ""),
                "client entry \(String(describing: entry)), hwaddr \(hwaddr), holder \(holder)", in: lab)

            let listing = try await lab.kubectl("get", "svc", "nginx-dhcp")
            #expect(listing.stdout.contains(address), "\(listing.stdout)")
            let metrics = try await NodeAgentNetnsTests.metrics(of: holder, in: lab)
            #expect(metrics.contains("kube_vip_dhcp_leases 1"), "\(metrics)")
            #expect(metrics.contains(#"kube_vip_dhcp_messages_sent_total{type="discover",state="selecting"}"#), "\(metrics)")
        }
    }

    @Test("a `cidr-global: 0.0.0.0/32` pool: the allocator marks the Service for DHCP and the node agent leases its address")
    func dhcpPoolOfTheCloudProvider() async throws {
        try await withAgentLab(nodeCount: 1, extraHosts: [Self.server], allocator: true) { lab in
            let dnsmasq = try await DnsmasqServer.start(in: lab.lab, host: try lab.lab.host("dhcp"))
            let pool = try await lab.kubectl(
                "create", "configmap", "kubevip", "-n", "kube-system", "--from-literal=cidr-global=0.0.0.0/32")
            try #require(pool.succeeded, "\(pool)")
            try lab.startManagers()
            try await lab.apply(NodeAgentLab.serviceManifest(name: "web", address: nil, allowWithoutEndpoints: true))
            let address = try await Self.leasedAddress(of: "web", in: lab)
            #expect(try await Self.annotation("loadbalancerIPs", of: "web", in: lab) == "0.0.0.0", "the allocator's record")
            let hwaddr = try #require(try await Self.annotation("hwaddr", of: "web", in: lab))
            #expect(dnsmasq.lease(for: hwaddr)?.address == address, "\(dnsmasq.leases())")
            // The allocator leaves the leased address in the status alone.
            try await Task.sleep(for: .seconds(1))
            #expect(try await Self.leasedAddress(of: "web", in: lab) == address)
        }
    }

    @Test("renewal goes unicast to the server at T1; with the server down, rebinding broadcasts at T2 to the restarted one")
    func renewThenRebind() async throws {
        try await withAgentLab(nodeCount: 1, extraHosts: [Self.server]) { lab in
            let host = try lab.lab.host("dhcp")
            var configuration = DnsmasqConfiguration.testbed
            configuration.renewalTime = 6
            configuration.rebindingTime = 12
            let first = try await DnsmasqServer.start(in: lab.lab, host: host, configuration: configuration)
            let capture = try lab.lab.spawn(
                in: host, ["tcpdump", "-l", "-n", "-i", "eth0", "udp", "port", "67"], name: "tcpdump dhcp")
            try lab.startManagers()
            try await Self.exposeNginx(in: lab)
            let address = try await Self.leasedAddress(of: "nginx-dhcp", in: lab)
            let hwaddr = try #require(try await Self.annotation("hwaddr", of: "nginx-dhcp", in: lab))
            let granted = try #require(first.lease(for: hwaddr)).expiry

            // T1 = 6 s: a REQUEST unicast from the leased address to the server, acknowledged; the lease file's
            // expiry moves on.
            let renewed = try await eventually("a renewal in dnsmasq's lease file", within: .seconds(15)) {
                (first.lease(for: hwaddr)?.expiry ?? 0) > granted ? true : nil
            } diagnostics: {
                first.log()
            }
            #expect(renewed)
            _ = try await eventually("tcpdump to show the unicast renewal", within: .seconds(5)) {
                capture.stdout.contains("\(address).68 > 198.51.100.2.67") ? true : nil
            } diagnostics: {
                "tcpdump in the server's namespace:\n\(capture.stdout)"
            }

            // Server down across the next T1: the unicast renewal goes unanswered. It comes back (same lease
            // file) before T2, and the broadcast REQUEST of REBINDING gets the lease extended.
            await first.stop()
            let down = ContinuousClock.now
            try await Task.sleep(for: .seconds(7))
            let second = try await DnsmasqServer.start(
                in: lab.lab, host: host, configuration: configuration, leaseFile: first.leaseFileURL)
            let rebound = try await eventually("an ACK from the restarted server", within: .seconds(15)) {
                second.logLines(containing: "DHCPACK(eth0) \(address)").isEmpty ? nil : true
            } diagnostics: {
                second.log()
            }
            #expect(rebound)
            reportTiming("DHCP: server down → lease rebound by the restarted server \(milliseconds(since: down)) ms")
            _ = try await eventually("tcpdump to show the broadcast rebinding", within: .seconds(5)) {
                capture.stdout.contains("\(address).68 > 255.255.255.255.67") ? true : nil
            } diagnostics: {
                "tcpdump in the server's namespace:\n\(capture.stdout)"
            }
            #expect(second.logLines(containing: "DHCPDISCOVER").isEmpty, "rebinding is a REQUEST, not a new DISCOVER")
            let node = try #require(lab.node(named: "node1"))
            let metrics = try await NodeAgentNetnsTests.metrics(of: node, in: lab)
            #expect(metrics.contains(#"kube_vip_dhcp_messages_sent_total{type="request",state="renewing"}"#), "\(metrics)")
            #expect(metrics.contains(#"kube_vip_dhcp_messages_sent_total{type="request",state="rebinding"}"#), "\(metrics)")
            #expect(try await Self.leasedAddress(of: "nginx-dhcp", in: lab) == address)
            #expect(try await lab.clientPing(address, timeoutSeconds: 2))
            capture.signal(SIGTERM)
        }
    }

    @Test("deleting the Service releases the lease (gone from dnsmasq's lease file) and removes the macvlan")
    func deletionReleases() async throws {
        try await withAgentLab(nodeCount: 1, extraHosts: [Self.server]) { lab in
            let dnsmasq = try await DnsmasqServer.start(in: lab.lab, host: try lab.lab.host("dhcp"))
            try lab.startManagers()
            try await Self.exposeNginx(in: lab)
            let address = try await Self.leasedAddress(of: "nginx-dhcp", in: lab)
            let hwaddr = try #require(try await Self.annotation("hwaddr", of: "nginx-dhcp", in: lab))
            #expect(dnsmasq.lease(for: hwaddr) != nil)

            let start = ContinuousClock.now
            #expect(try await lab.kubectl("delete", "svc", "nginx-dhcp").succeeded)
            _ = try await eventually("the lease to leave dnsmasq's lease file", within: .seconds(10)) {
                dnsmasq.lease(for: hwaddr) == nil ? true : nil
            } diagnostics: {
                dnsmasq.log()
            }
            reportTiming("DHCP: Service deleted → lease released \(milliseconds(since: start)) ms")
            #expect(!dnsmasq.logLines(containing: "DHCPRELEASE(eth0) \(address)").isEmpty, "\(dnsmasq.log())")
            _ = try await eventually("the macvlan and the address to be gone", within: .seconds(5)) {
                let macvlans = try await Self.nodes(withLink: "vip-", in: lab)
                let holders = try await lab.holders(of: address, device: nil)
                return macvlans.isEmpty && holders.isEmpty ? true : nil
            }
        }
    }

    @Test("an agent killed and started again keeps the address: INIT-REBOOT from the same MAC, no DISCOVER")
    func restartKeepsTheAddress() async throws {
        try await restart(after: SIGKILL) { _, _, _ in }
    }

    @Test("SIGTERM releases the lease and deletes the macvlan; the next run asks for the same address and gets it")
    func gracefulShutdownReleases() async throws {
        try await restart(after: SIGTERM) { lab, dnsmasq, address in
            let exit = lab.manager(on: try #require(lab.node(named: "node1")))?.exitStatus
            #expect(exit == .exited(0), "\(String(describing: exit))")
            #expect(!dnsmasq.logLines(containing: "DHCPRELEASE(eth0) \(address)").isEmpty, "\(dnsmasq.log())")
            #expect(try await Self.nodes(withLink: "vip-", in: lab).isEmpty, "the macvlan is deleted")
            #expect(try await lab.holders(of: address, device: nil).isEmpty)
        }
    }

    /// One node leases an address; its agent gets `signal` and, once `stopped` has checked what it left, starts
    /// again: the new run confirms the same address (a second ACK) without a DISCOVER.
    private func restart(
        after signal: Int32,
        stopped: (NodeAgentLab, DnsmasqServer, String) async throws -> Void
    ) async throws {
        try await withAgentLab(nodeCount: 1, extraHosts: [Self.server]) { lab in
            let dnsmasq = try await DnsmasqServer.start(in: lab.lab, host: try lab.lab.host("dhcp"))
            let node = try #require(lab.node(named: "node1"))
            try lab.startManagers()
            try await Self.exposeNginx(in: lab)
            let address = try await Self.leasedAddress(of: "nginx-dhcp", in: lab)
            _ = try await eventually("the requestedIP annotation", within: .seconds(10)) {
                try await Self.annotation("requestedIP", of: "nginx-dhcp", in: lab)
            }
            let discovers = dnsmasq.logLines(containing: "DHCPDISCOVER").count

            lab.manager(on: node)?.signal(signal)
            _ = await lab.manager(on: node)?.waitForExit(timeout: .seconds(10))
            try await stopped(lab, dnsmasq, address)
            let restarted = ContinuousClock.now
            try lab.startManager(on: node)
            _ = try await eventually("a second ACK for \(address)", within: .seconds(20)) {
                dnsmasq.logLines(containing: "DHCPACK(eth0) \(address)").count >= 2 ? true : nil
            } diagnostics: {
                dnsmasq.log() + "\n" + (await lab.diagnostics())
            }
            reportTiming("DHCP: agent restarted after signal \(signal) → lease confirmed \(milliseconds(since: restarted)) ms")
            #expect(dnsmasq.logLines(containing: "DHCPDISCOVER").count == discovers, "INIT-REBOOT sends no DISCOVER")
            #expect(try await Self.leasedAddress(of: "nginx-dhcp", in: lab) == address)
            _ = try await lab.waitForSingleHolder(of: address, device: nil)
            #expect(try await lab.clientPing(address, timeoutSeconds: 2))
        }
    }

    @Test("the host name, the client identifier and the broadcast flag reach the server as annotated")
    func optionsReachTheServer() async throws {
        try await withAgentLab(nodeCount: 1, extraHosts: [Self.server]) { lab in
            let host = try lab.lab.host("dhcp")
            let dnsmasq = try await DnsmasqServer.start(in: lab.lab, host: host)
            let capture = try await lab.lab.start(
                in: host, ["tcpdump", "-l", "--immediate-mode", "-n", "-i", "eth0", "udp", "port", "68"],
                readyWhen: "listening on")
            try lab.startManagers()
            try await lab.apply(
                Self.serviceManifest(
                    name: "web",
                    annotations: ["kube-vip.io/loadbalancerHostname": "web-lb", "kube-vip.io/dhcp-broadcast": "true"]))
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node1"))
            let address = try await Self.leasedAddress(of: "web", in: lab)
            let hwaddr = try #require(try await Self.annotation("hwaddr", of: "web", in: lab)).lowercased()
            let lease = try #require(dnsmasq.lease(for: hwaddr), "\(dnsmasq.leases())")
            #expect(lease.address == address)
            #expect(lease.hostname == "web-lb")
            #expect(lease.clientID == "01:\(hwaddr)", "type 1 + the MAC, not the host name")
            // With the broadcast flag the server answers to 255.255.255.255, not to the offered address.
            _ = try await eventually("a broadcast reply on the wire", within: .seconds(5)) {
                capture.stdout.contains("198.51.100.2.67 > 255.255.255.255.68") ? true : nil
            } diagnostics: {
                capture.stdout
            }
            #expect(!capture.stdout.contains("198.51.100.2.67 > \(address).68"), "\(capture.stdout)")
        }
    }

    @Test("a macvlan deleted by hand is made again and its lease confirmed; the address comes back")
    func deletedMacvlanComesBack() async throws {
        try await withAgentLab(nodeCount: 1, extraHosts: [Self.server]) { lab in
            let dnsmasq = try await DnsmasqServer.start(in: lab.lab, host: try lab.lab.host("dhcp"))
            let node = try #require(lab.node(named: "node1"))
            try lab.startManagers()
            try await Self.exposeNginx(in: lab)
            let address = try await Self.leasedAddress(of: "nginx-dhcp", in: lab)
            _ = try await lab.waitForSingleHolder(of: address, device: nil)
            let uid = try #require(try await lab.jsonpath("service", "nginx-dhcp", namespace: "default", "{.metadata.uid}"))
            let macvlan = "vip-" + uid.prefix(8)

            let deleted = ContinuousClock.now
            try await lab.lab.ip("-n", node.namespace, "link", "del", macvlan)
            _ = try await eventually("the macvlan and \(address) to be back", within: .seconds(20)) {
                let macvlans = try await Self.nodes(withLink: macvlan, in: lab)
                let holders = try await lab.holders(of: address, device: nil)
                return macvlans == [node.name] && holders == [node] ? true : nil
            } diagnostics: {
                dnsmasq.log() + "\n" + (await lab.diagnostics())
            }
            reportTiming("DHCP: macvlan deleted by hand → back with its address \(milliseconds(since: deleted)) ms")
            #expect(dnsmasq.logLines(containing: "DHCPACK(eth0) \(address)").count >= 2, "confirmed again")
            #expect(dnsmasq.logLines(containing: "DHCPRELEASE").isEmpty, "the lease was kept")
            #expect(try await lab.clientPing(address, timeoutSeconds: 2))
        }
    }

    @Test("a remembered address the server refuses (NAK) is given up for a new lease")
    func nakLeadsToANewLease() async throws {
        try await withAgentLab(nodeCount: 1, extraHosts: [Self.server]) { lab in
            let dnsmasq = try await DnsmasqServer.start(in: lab.lab, host: try lab.lab.host("dhcp"))
            try lab.startManagers()
            try await lab.apply(Self.serviceManifest(name: "web", annotations: ["kube-vip.io/requestedIP": "198.51.100.200"]))
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node1"))
            let address = try await Self.leasedAddress(of: "web", in: lab)
            #expect(address != "198.51.100.200")
            #expect(!dnsmasq.logLines(containing: "DHCPNAK(eth0) 198.51.100.200").isEmpty, "\(dnsmasq.log())")
            _ = try await eventually("requestedIP to name the new address", within: .seconds(10)) {
                try await Self.annotation("requestedIP", of: "web", in: lab) == address ? true : nil
            }
        }
    }

    @Test("an offered address another host already uses is declined, with a Warning on the Service")
    func conflictIsDeclined() async throws {
        try await withAgentLab(nodeCount: 1, extraHosts: [Self.server]) { lab in
            let squatted = "198.51.100.50"
            let mac = "02:00:5e:10:00:50"
            var configuration = DnsmasqConfiguration.testbed
            configuration.reservations = [(mac: mac, ip: squatted)]
            let dnsmasq = try await DnsmasqServer.start(in: lab.lab, host: try lab.lab.host("dhcp"), configuration: configuration)
            try await lab.lab.ip("-n", lab.client.namespace, "addr", "add", "\(squatted)/24", "dev", "eth0")
            try lab.startManagers()
            try await lab.apply(Self.serviceManifest(name: "web", annotations: ["kube-vip.io/hwaddr": mac]))
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node1"))
            _ = try await eventually("dnsmasq to log the DECLINE", within: .seconds(20)) {
                dnsmasq.logLines(containing: "DHCPDECLINE(eth0) \(squatted)").isEmpty ? nil : true
            } diagnostics: {
                dnsmasq.log() + "\n" + (await lab.diagnostics())
            }
            let events = try await lab.kubectl("get", "events", "-n", "default", "-o", "wide")
            #expect(events.stdout.contains("DHCPAddressDeclined"), "\(events.stdout)")
            #expect(try await lab.holders(of: squatted, device: nil).isEmpty, "no node took the squatted address")
            let ingress = try await lab.ingress(of: "web") ?? ""
            #expect(!ingress.contains(squatted), "\(ingress)")
        }
    }

    @Test("failover: the next Lease holder asks for the same address from the same MAC and keeps it")
    func failoverKeepsTheAddress() async throws {
        try await withAgentLab(extraHosts: [Self.server]) { lab in
            let dnsmasq = try await DnsmasqServer.start(in: lab.lab, host: try lab.lab.host("dhcp"))
            try lab.startManagers()
            try await Self.exposeNginx(in: lab)
            let address = try await Self.leasedAddress(of: "nginx-dhcp", in: lab)
            let hwaddr = try #require(try await Self.annotation("hwaddr", of: "nginx-dhcp", in: lab))
            let leader = try await lab.waitForSingleHolder(of: address, device: nil)
            _ = try await eventually("vipHost and requestedIP written", within: .seconds(10)) { () -> Bool? in
                let host = try await lab.vipHost(of: "nginx-dhcp")
                let requested = try await Self.annotation("requestedIP", of: "nginx-dhcp", in: lab)
                return host == leader.name && requested == address ? true : nil
            }

            let discovers = dnsmasq.logLines(containing: "DHCPDISCOVER").count
            // The node is lost: its agent is killed and its link goes down.
            let lost = ContinuousClock.now
            lab.manager(on: leader)?.signal(SIGKILL)
            try await lab.lab.ip("-n", leader.namespace, "link", "set", "eth0", "down")
            let next = try await eventually("another node to hold \(address)", within: .seconds(30)) {
                let holders = try await lab.holders(of: address, device: nil).filter { $0 != leader }
                return holders.count == 1 ? holders.first : nil
            } diagnostics: {
                dnsmasq.log() + "\n" + (await lab.diagnostics())
            }
            reportTiming("DHCP: node lost → \(address) held by \(next.name) \(milliseconds(since: lost)) ms")
            #expect(try await lab.clientPing(address, timeoutSeconds: 2))
            let entry = try await lab.clientNeighbour(for: address)
            #expect(
                [hwaddr.lowercased(), next.mac.lowercased()].contains(entry?.mac ?? ""),
                "the new holder answers: \(String(describing: entry))")
            _ = try await eventually("vipHost to name \(next.name)", within: .seconds(10)) {
                try await lab.vipHost(of: "nginx-dhcp") == next.name ? true : nil
            }
            #expect(try await Self.leasedAddress(of: "nginx-dhcp", in: lab) == address)
            #expect(dnsmasq.leases().count == 1, "\(dnsmasq.leases())")
            #expect(dnsmasq.logLines(containing: "DHCPDISCOVER").count == discovers, "the next holder asked by INIT-REBOOT")
        }
    }

    // MARK: - Helpers

    /// The seed's commands, plus the EndpointSlice a kubelet would have made (no pods run in the lab).
    static func exposeNginx(in lab: NodeAgentLab) async throws {
        let created = try await lab.kubectl("create", "deployment", "nginx-deployment", "--image=nginx")
        try #require(created.succeeded, "\(created)")
        let exposed = try await lab.kubectl(
            "expose", "deployment", "nginx-deployment", "--port=80", "--type=LoadBalancer", "--name=nginx-dhcp",
            "--load-balancer-ip=0.0.0.0")
        try #require(exposed.succeeded, "\(exposed)")
        try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "nginx-dhcp", nodeName: "node1"))
    }

    static func serviceManifest(name: String, annotations: [String: String]) -> String {
        let lines = (["kube-vip.io/loadbalancerIPs": "0.0.0.0"].merging(annotations) { $1 })
            .sorted { $0.key < $1.key }.map { "    \($0.key): \"\($0.value)\"" }.joined(separator: "\n")
        return """
            apiVersion: v1
            kind: Service
            metadata:
              name: \(name)
              namespace: default
              annotations:
            \(lines)
            spec:
              type: LoadBalancer
              selector:
                app: \(name)
              ports:
              - name: http
                port: 80
                protocol: TCP
                targetPort: 8080

            """
    }

    /// Waits for the Service's status to show a leased (non-zero) address.
    static func leasedAddress(of service: String, in lab: NodeAgentLab) async throws -> String {
        try await eventually("\(service)'s status to show a leased address", within: .seconds(30)) {
            let ip = try await lab.jsonpath("service", service, namespace: "default", "{.status.loadBalancer.ingress[0].ip}")
            return ip.flatMap { $0 == "0.0.0.0" ? nil : $0 }
        } diagnostics: {
            await lab.diagnostics()
        }
    }

    static func annotation(_ key: String, of service: String, in lab: NodeAgentLab) async throws -> String? {
        try await lab.jsonpath("service", service, namespace: "default", "{.metadata.annotations.kube-vip\\.io/\(key)}")
    }

    /// The nodes with a link whose name starts with `prefix`.
    static func nodes(withLink prefix: String, in lab: NodeAgentLab) async throws -> [String] {
        var found: [String] = []
        for node in lab.nodes {
            let links = try await lab.lab.run(in: node, ["ip", "-o", "link", "show"])
            let names = links.stdout.split(separator: "\n").compactMap { line -> String? in
                let fields = line.split(separator: ":", maxSplits: 2)
                guard fields.count >= 2 else { return nil }
                return String(fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first ?? "")
            }
            if names.contains(where: { $0.hasPrefix(prefix) }) { found.append(node.name) }
        }
        return found
    }
}
