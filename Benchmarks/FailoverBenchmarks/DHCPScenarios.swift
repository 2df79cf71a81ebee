import Benchmark
import BenchmarkSupport
import Foundation
import NetworkLab

// DHCP mode: the same lab plus a dnsmasq host (`dhcp`, 198.51.100.2, pool .50–.79), one Service asking for
// 0.0.0.0. Two numbers: how long until `kubectl get svc` can show the leased address (the Service applied → its
// status names the address dnsmasq leased), and the failover of that address when its node is lost (the agent
// SIGKILLed and its link down), as a client pinging it sees it.

enum DHCPMetric {
    static let leaseMilliseconds = BenchmarkMetric.custom(
        "Service applied → leased address in its status (ms)", polarity: .prefersSmaller, useScalingFactor: false)
}

private let dhcpServer = HostSpec.host("dhcp", 2)

private func dhcpServiceManifest() -> String {
    NodeAgentLab.serviceManifest(name: "web", address: "0.0.0.0")
}

/// The leased address once the Service's status shows one.
private func leasedAddress(in lab: NodeAgentLab, within limit: Duration) async throws -> String {
    try await NetworkLab.eventually("a leased address in the Service's status", within: limit, every: .milliseconds(20)) {
        let ip = try await lab.jsonpath("service", "web", namespace: "default", "{.status.loadBalancer.ingress[0].ip}")
        return ip.flatMap { $0 == "0.0.0.0" ? nil : $0 }
    } diagnostics: {
        await lab.diagnostics()
    }
}

func registerDHCPScenarios(settings: FailoverSettings) {
    let leaseConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, DHCPMetric.leaseMilliseconds], timeUnits: .milliseconds,
        units: [DHCPMetric.leaseMilliseconds: .count], warmupIterations: 0, maxDuration: .seconds(3_600),
        maxIterations: settings.iterations)
    Benchmark("DHCP: Service applied → leased address in its status", configuration: leaseConfiguration) { benchmark in
        let binary = try settings.requireBinary()
        try requireLab()
        let milliseconds = try await NodeAgentLab.with(binary: binary, nodeCount: 1, extraHosts: [dhcpServer]) { lab in
            _ = try await DnsmasqServer.start(in: lab.lab, host: try lab.lab.host("dhcp"))
            try lab.startManagers()
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node1"))
            // The agent is ready once it holds the Lease (it follows nothing else in this lab).
            _ = try await NetworkLab.eventually("node1 to hold the Lease", within: .seconds(30)) {
                try await lab.leaseHolder() == "node1" ? true : nil
            }
            let start = ContinuousClock.now
            benchmark.startMeasurement()
            try await lab.apply(dhcpServiceManifest())
            _ = try await leasedAddress(in: lab, within: .seconds(30))
            benchmark.stopMeasurement()
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        }
        benchmark.measurement(DHCPMetric.leaseMilliseconds, Int(milliseconds.rounded()))
        report("DHCP lease: \(Int(milliseconds.rounded())) ms (kubectl apply included)", to: settings.summaryFile)
    }

    let failoverConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, FailoverMetric.failoverMilliseconds, FailoverMetric.repliesFromPreviousHolder],
        timeUnits: .milliseconds,
        units: [FailoverMetric.failoverMilliseconds: .count, FailoverMetric.repliesFromPreviousHolder: .count],
        warmupIterations: 0, maxDuration: .seconds(3_600), maxIterations: settings.iterations)
    Benchmark("DHCP failover, node lost, lease 5/3/1", configuration: failoverConfiguration) { benchmark in
        let binary = try settings.requireBinary()
        try requireLab()
        let measurement = try await NodeAgentLab.with(binary: binary, extraHosts: [dhcpServer]) { lab in
            _ = try await DnsmasqServer.start(in: lab.lab, host: try lab.lab.host("dhcp"))
            try lab.startManagers()
            try await lab.apply(dhcpServiceManifest())
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node2"))
            let address = try await leasedAddress(in: lab, within: .seconds(60))
            let leader = try await lab.waitForSingleHolder(of: address, device: nil, within: .seconds(60))
            // The next holder needs requestedIP and hwaddr to ask for the same lease.
            _ = try await NetworkLab.eventually("requestedIP written", within: .seconds(30)) {
                try await lab.jsonpath("service", "web", namespace: "default", #"{.metadata.annotations.kube-vip\.io/requestedIP}"#)
            }
            benchmark.startMeasurement()
            let measurement = try await lab.measureFailover(
                of: address, leader: leader, loss: .nodeCrashed, within: .seconds(40))
            benchmark.stopMeasurement()
            return measurement
        }
        benchmark.measurement(FailoverMetric.failoverMilliseconds, Int(measurement.milliseconds.rounded()))
        benchmark.measurement(FailoverMetric.repliesFromPreviousHolder, measurement.repliesFromPreviousHolder)
        report("DHCP failover, node lost: \(measurement)", to: settings.summaryFile)
    }
}

private func requireLab() throws {
    if let reason = NetworkLab.unavailableReason() { throw FailoverBenchmarkFailure(reason) }
    let missing = NetworkLab.missingTools(["ping", "tcpdump", "kubectl", "dnsmasq"])
    guard missing.isEmpty else { throw FailoverBenchmarkFailure("missing tools: \(missing)") }
}
