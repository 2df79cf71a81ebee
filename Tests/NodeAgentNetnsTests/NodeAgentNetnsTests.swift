import Foundation
import NetworkLab
import Testing

/// Real `kube-vip manager` processes, one per node namespace, against `kube-vip dev` in the api namespace; a
/// client namespace on the same bridge pings the Services' addresses. What is checked is what a user would
/// see: who answers on the wire (the client's neighbour table, echo replies by source MAC), the Leases, and
/// what the agents wrote on the Services.
@Suite(
    "kube-vip manager in network namespaces",
    .serialized,
    .enabled(if: NetworkLab.unavailableReason() == nil, "\(NetworkLab.unavailableReason() ?? "")"),
    .enabled(if: AgentBinary.path != nil, "the kube-vip binary was not found next to the test runner"),
    .enabled(
        if: AgentLabRequirements.toolsPresent,
        "missing tools: \(AgentLabRequirements.missingTools.joined(separator: ", "))"),
    .timeLimit(.minutes(2))
)
struct NodeAgentNetnsTests {
    static let vip = "198.51.100.100"
    static let secondVIP = "198.51.100.101"
    static let vip6 = "2001:db8::100"

    @Test("global mode: the Lease holder takes the address and the client reaches it through that node's MAC")
    func globalModeLeaderServes() async throws {
        try await withAgentLab { lab in
            try lab.startManagers()
            let start = ContinuousClock.now
            try await lab.apply(NodeAgentLab.serviceManifest(name: "web", address: Self.vip))
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node2"))
            let holder = try await lab.waitForSingleHolder(of: Self.vip)
            let addressTime = milliseconds(since: start)
            let answered = try await eventually("the client to reach \(Self.vip)", within: .seconds(10)) {
                try await lab.clientPing(Self.vip) ? true : nil
            }
            reportTiming(
                "global mode: Service applied → address on \(holder.name) \(addressTime) ms, → client ping answered "
                    + "\(milliseconds(since: start)) ms")
            #expect(answered)
            let entry = try await lab.clientNeighbour(for: Self.vip)
            await check(
                entry?.mac == holder.mac, "client neighbour entry \(String(describing: entry)), holder \(holder)",
                in: lab)
            #expect(try await lab.leaseHolder() == holder.name)
            let vipHost = try await eventually("the vipHost annotation", within: .seconds(10)) {
                try await lab.vipHost(of: "web")
            }
            #expect(vipHost == holder.name)
            let ingress = try await lab.ingress(of: "web") ?? ""
            #expect(ingress.contains(#""ip":"198.51.100.100""#), "\(ingress)")
            #expect(ingress.contains(#""port":80"#), "\(ingress)")
            #expect(try await lab.holders(of: Self.vip) == [holder])

            // The holder's metrics endpoint (prometheus_server :2112) says what it does.
            let metrics = try await Self.metrics(of: holder, in: lab)
            #expect(metrics.contains(#"kube_vip_is_leader{node="\#(holder.name)",lease_name="kube-system/plndr-svcs-lock"} 1"#), "\(metrics)")
            #expect(metrics.contains("kube_vip_addresses_held 1"), "\(metrics)")
            #expect(!metrics.contains("kube_vip_arp_announcements_sent_total 0\n"), "\(metrics)")
            #expect(metrics.contains("kube_vip_arp_announcements_sent_total"), "\(metrics)")
        }
    }

    /// `/metrics` of a node's manager, fetched from the client namespace.
    static func metrics(of node: LabHost, in lab: NodeAgentLab) async throws -> String {
        let result = try await lab.lab.run(in: lab.client, ["curl", "-s", "--max-time", "5", "http://\(node.ipv4):2112/metrics"])
        return result.stdout
    }

    @Test("per-Service mode: each Service has its own Lease, and its holder serves its address")
    func perServiceModeLeases() async throws {
        try await withAgentLab { lab in
            try lab.startManagers(settings: .init(perServiceElection: true))
            let start = ContinuousClock.now
            for (name, address) in [("web-a", Self.vip), ("web-b", Self.secondVIP)] {
                try await lab.apply(NodeAgentLab.serviceManifest(name: name, address: address))
                try await lab.apply(NodeAgentLab.endpointSliceManifest(service: name, nodeName: "node2"))
            }
            for (name, address) in [("web-a", Self.vip), ("web-b", Self.secondVIP)] {
                let holder = try await lab.waitForSingleHolder(of: address)
                reportTiming("per-Service mode: \(name) on \(holder.name) after \(milliseconds(since: start)) ms")
                #expect(try await lab.clientPing(address, timeoutSeconds: 2), "\(name) unreachable")
                let entry = try await lab.clientNeighbour(for: address)
                await check(
                    entry?.mac == holder.mac, "\(name): neighbour \(String(describing: entry)), holder \(holder)",
                    in: lab)
                let leaseHolder = try await lab.leaseHolder("kubevip-\(name)", namespace: "default")
                #expect(leaseHolder == holder.name, "Lease kubevip-\(name)")
                let vipHost = try await eventually("\(name)'s vipHost annotation", within: .seconds(10)) {
                    try await lab.vipHost(of: name)
                }
                #expect(vipHost == holder.name, "\(name)")
            }
        }
    }

    @Test("externalTrafficPolicy Local: the address follows the ready endpoint from node2 to node3")
    func localPolicyFollowsEndpoint() async throws {
        try await withAgentLab { lab in
            try lab.startManagers(settings: .init(perServiceElection: true))
            let node2 = try #require(lab.node(named: "node2"))
            let node3 = try #require(lab.node(named: "node3"))
            try await lab.apply(NodeAgentLab.serviceManifest(name: "web", address: Self.vip, localPolicy: true))
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node2"))
            let first = try await lab.waitForSingleHolder(of: Self.vip)
            #expect(first == node2)
            #expect(try await lab.clientPing(Self.vip, timeoutSeconds: 2))
            #expect(try await lab.clientNeighbour(for: Self.vip)?.mac == node2.mac)

            let start = ContinuousClock.now
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node3"))
            _ = try await eventually("the address to be on node3 only", within: .seconds(20)) {
                try await lab.holders(of: Self.vip) == [node3] ? true : nil
            } diagnostics: {
                await lab.diagnostics()
            }
            let moved = milliseconds(since: start)
            let reached = try await eventually("the client to reach \(Self.vip) through node3", within: .seconds(10)) {
                () -> Bool? in
                guard try await lab.clientPing(Self.vip) else { return nil }
                return try await lab.clientNeighbour(for: Self.vip)?.mac == node3.mac ? true : nil
            } diagnostics: {
                "neighbour: \(String(describing: try? await lab.clientNeighbour(for: Self.vip)))"
            }
            #expect(reached)
            reportTiming(
                "Local policy: endpoint moved node2 → node3; address on node3 only after \(moved) ms, client through "
                    + "node3's MAC after \(milliseconds(since: start)) ms")
            let vipHost = try await eventually("vipHost to name node3", within: .seconds(10)) {
                try await lab.vipHost(of: "web") == "node3" ? true : nil
            }
            #expect(vipHost)
        }
    }

    @Test("SIGKILL of the leader (node lost): the client's entry moves to the new holder within the lease + 1 s")
    func sigkillFailover() async throws {
        try await withAgentLab { lab in
            let measurement = try await Self.failover(in: lab, loss: .nodeCrashed, within: .seconds(20))
            reportTiming("failover, \(measurement)")
            #expect(measurement.duration < .seconds(5 + 1), "\(measurement)")
        }
    }

    @Test("SIGTERM of the leader: it withdraws the address and a peer answers within 1 s")
    func sigtermFailover() async throws {
        try await withAgentLab { lab in
            let measurement = try await Self.failover(in: lab, loss: .terminated, within: .seconds(15))
            reportTiming("failover, \(measurement)")
            #expect(measurement.duration < .seconds(1), "\(measurement)")
            let stopped = await lab.manager(on: measurement.previousHolder)?.waitForExit(timeout: .seconds(10))
            #expect(stopped == .exited(0), "the terminated manager: \(String(describing: stopped))")
            #expect(
                try await lab.lab.hasAddress(Self.vip, in: measurement.previousHolder) == false, "address left behind")
        }
    }

    /// Global mode, fast timings: serve one Service, take the leader away, and check what the cluster says
    /// afterwards as well as what the wire said.
    private static func failover(in lab: NodeAgentLab, loss: LeaderLoss, within limit: Duration) async throws
        -> FailoverMeasurement
    {
        try lab.startManagers()
        try await lab.apply(NodeAgentLab.serviceManifest(name: "web", address: vip))
        try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node2"))
        let leader = try await lab.waitForSingleHolder(of: vip)
        _ = try await eventually("the Lease to name \(leader.name)", within: .seconds(10)) {
            try await lab.leaseHolder() == leader.name ? true : nil
        }
        let measurement = try await lab.measureFailover(of: vip, leader: leader, loss: loss, within: limit)
        #expect(measurement.newHolder != leader)
        let entry = try await lab.clientNeighbour(for: vip)
        await check(
            entry?.mac == measurement.newHolder.mac, "client entry \(String(describing: entry)) after \(measurement)",
            in: lab)
        #expect(try await lab.clientPing(vip, timeoutSeconds: 2))
        let holder = try await eventually("the Lease to name the new holder", within: .seconds(10)) {
            try await lab.leaseHolder() == measurement.newHolder.name ? true : nil
        }
        #expect(holder)
        let annotated = try await eventually("vipHost to name the new holder", within: .seconds(10)) {
            try await lab.vipHost(of: "web") == measurement.newHolder.name ? true : nil
        }
        #expect(annotated)
        return measurement
    }

    @Test("an address removed from the holder's interface is put back and announced at once")
    func removedAddressIsReadded() async throws {
        try await withAgentLab { lab in
            try lab.startManagers()
            try await lab.apply(NodeAgentLab.serviceManifest(name: "web", address: Self.vip))
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node2"))
            let holder = try await lab.waitForSingleHolder(of: Self.vip)
            let removed = ContinuousClock.now
            try await lab.lab.ip("-n", holder.namespace, "addr", "del", "\(Self.vip)/32", "dev", "eth0")
            let back = try await eventually("the address back on \(holder.name)", within: .seconds(5)) {
                try await lab.lab.hasAddress(Self.vip, in: holder) ? true : nil
            }
            #expect(back)
            reportTiming("re-add: address back on \(holder.name) \(milliseconds(since: removed)) ms after its removal")
            #expect(milliseconds(since: removed) < 300, "put back from the kernel's notification, not at the next 1 s tick")
            #expect(try await lab.holders(of: Self.vip) == [holder])
            #expect(try await lab.clientPing(Self.vip, timeoutSeconds: 2))
        }
    }

    @Test("a leader cut off from the API server withdraws before anyone takes over, keeps running, and follows after")
    func partitionedLeaderStepsDown() async throws {
        try await withAgentLab { lab in
            try lab.startManagers()
            try await lab.apply(NodeAgentLab.serviceManifest(name: "web", address: Self.vip))
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node2"))
            let leader = try await lab.waitForSingleHolder(of: Self.vip)
            // Only the way to the API server is cut: the leader still reaches the clients, so it must not keep
            // announcing once it can no longer prove it holds the Lease.
            try await lab.lab.ip("-n", leader.namespace, "route", "add", "blackhole", "\(lab.api.ipv4)/32")
            let cut = ContinuousClock.now
            var withdrawnAt: Int?
            var takenAt: Int?
            while takenAt == nil, ContinuousClock.now < cut.advanced(by: .seconds(15)) {
                let holders = try await lab.holders(of: Self.vip)
                await check(holders.count <= 1, "two nodes hold the address at once: \(holders)", in: lab)
                if withdrawnAt == nil, !holders.contains(leader) { withdrawnAt = milliseconds(since: cut) }
                if let holder = holders.first, holder != leader { takenAt = milliseconds(since: cut) }
                try await Task.sleep(for: .milliseconds(50))
            }
            let withdrawn = try #require(withdrawnAt, "the cut-off leader kept the address")
            let taken = try #require(takenAt, "no other node took over")
            reportTiming("partition: the cut-off leader withdrew after \(withdrawn) ms, another node took over after \(taken) ms")
            #expect(withdrawn < taken)
            #expect(lab.manager(on: leader)?.isRunning == true, "losing the Lease must not end the process")

            try await lab.lab.ip("-n", leader.namespace, "route", "del", "blackhole", "\(lab.api.ipv4)/32")
            try await Task.sleep(for: .seconds(3))
            #expect(try await lab.holders(of: Self.vip).count == 1)
            #expect(lab.manager(on: leader)?.isRunning == true)
        }
    }

    @Test("an address a foreign host already answers for is not taken (Warning Event) until the host lets go")
    func conflictingAddressWaits() async throws {
        try await withAgentLab(extraHosts: [.host("foreign", 30)]) { lab in
            let foreign = try lab.lab.host("foreign")
            try await lab.lab.ip("-n", foreign.namespace, "addr", "add", "\(Self.vip)/32", "dev", "eth0")
            try lab.startManagers()
            try await lab.apply(NodeAgentLab.serviceManifest(name: "web", address: Self.vip))
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node2"))

            let event = try await eventually("a Warning AddressConflict Event for web", within: .seconds(20)) {
                () -> String? in
                let result = try await lab.kubectl(
                    "get", "events", "-A", "-o",
                    #"jsonpath={range .items[*]}{.type} {.reason} {.involvedObject.name}: {.message}{"\n"}{end}"#)
                return result.stdout.split(separator: "\n").first { $0.hasPrefix("Warning AddressConflict web") }
                    .map(String.init)
            } diagnostics: {
                await lab.diagnostics()
            }
            print("conflict event: \(event)")
            var conflictsCounted = false
            for node in lab.nodes where try await Self.metrics(of: node, in: lab).contains("kube_vip_address_conflicts_total 1") {
                conflictsCounted = true
            }
            #expect(conflictsCounted, "some node counts the conflict in kube_vip_address_conflicts_total")
            // The whole time, no node may have added the address.
            let clock = ContinuousClock()
            let watchUntil = clock.now.advanced(by: .seconds(4))
            while clock.now < watchUntil {
                let holders = try await lab.holders(of: Self.vip)
                await check(holders.isEmpty, "the address was added despite the conflict: \(holders)", in: lab)
                if !holders.isEmpty { return }
                try await Task.sleep(for: .milliseconds(250))
            }

            let released = ContinuousClock.now
            try await lab.lab.ip("-n", foreign.namespace, "addr", "del", "\(Self.vip)/32", "dev", "eth0")
            let holder = try await lab.waitForSingleHolder(of: Self.vip, within: .seconds(30))
            let taken = milliseconds(since: released)
            let reached = try await eventually(
                "the client to reach \(Self.vip) through \(holder.name)", within: .seconds(10)
            ) {
                () -> Bool? in
                guard try await lab.clientPing(Self.vip) else { return nil }
                return try await lab.clientNeighbour(for: Self.vip)?.mac == holder.mac ? true : nil
            }
            #expect(reached)
            reportTiming("conflict: foreign host released the address → \(holder.name) took it after \(taken) ms")
        }
    }

    @Test("IPv6: the holder answers neighbour discovery for 2001:db8::100 and the client reaches it")
    func ipv6Address() async throws {
        try await withAgentLab(ipv6: true) { lab in
            try lab.startManagers()
            let start = ContinuousClock.now
            try await lab.apply(NodeAgentLab.serviceManifest(name: "web6", address: Self.vip6))
            try await lab.apply(
                NodeAgentLab.endpointSliceManifest(service: "web6", nodeName: "node2", endpointAddress: "fd00::1"))
            let holder = try await lab.waitForSingleHolder(of: Self.vip6)
            let answered = try await eventually("the client to reach \(Self.vip6)", within: .seconds(10)) {
                try await lab.clientPing(Self.vip6) ? true : nil
            }
            #expect(answered)
            reportTiming(
                "IPv6: Service applied → client ping answered by \(holder.name) after \(milliseconds(since: start)) ms")
            let entry = try await lab.clientNeighbour(for: Self.vip6)
            await check(
                entry?.mac == holder.mac, "client neighbour entry \(String(describing: entry)), holder \(holder)",
                in: lab)
            #expect(try await lab.leaseHolder() == holder.name)
            let vipHost = try await eventually("the vipHost annotation", within: .seconds(10)) {
                try await lab.vipHost(of: "web6")
            }
            #expect(vipHost == holder.name)
        }
    }
}
