import Benchmark
import BenchmarkSupport
import Foundation
import NetworkLab

// UPnP mode: the same lab plus a miniupnpd gateway (`gw`, 198.51.100.254, external address 100.128.0.1) and one
// Service on port 32380 annotated `kube-vip.io/forwardUPNP: "true"`. Two numbers: how long until the gateway has
// the mapping (the Service applied → `upnpc -l` lists it; discovery included, as the agent has not met the gateway
// before), and how long until the next holder has made it its own when the holder's node is lost (SIGKILL + link
// down, lease 5/3/1).

enum UPnPMetric {
    static let mappedMilliseconds = BenchmarkMetric.custom(
        "Service applied → port mapped on the gateway (ms)", polarity: .prefersSmaller, useScalingFactor: false)
    static let takenOverMilliseconds = BenchmarkMetric.custom(
        "node lost → mapping made by the next holder (ms)", polarity: .prefersSmaller, useScalingFactor: false)
}

private let gatewayHost = HostSpec.host("gw", 254)
private let upnpManager = NodeAgentLab.ManagerSettings(extra: ["enable_upnp": "true"])

private func upnpServiceManifest() -> String {
    """
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: default
      annotations:
        kube-vip.io/loadbalancerIPs: "\(FailoverSettings.address)"
        kube-vip.io/forwardUPNP: "true"
    spec:
      type: LoadBalancer
      selector:
        app: web
      ports:
      - name: http
        port: 32380
        protocol: TCP
        targetPort: 80

    """
}

/// Polls miniupnpd's mappings until `condition` holds; the time it took from `start`, in milliseconds.
private func millisecondsUntil(
    _ what: String, in gateway: MiniupnpdGateway, since start: ContinuousClock.Instant,
    _ condition: @escaping @Sendable ([MiniupnpdMapping]) -> Bool
) async throws -> Double {
    _ = try await NetworkLab.eventually(what, within: .seconds(60), every: .milliseconds(10)) {
        condition(try await gateway.mappings()) ? true : nil
    } diagnostics: {
        gateway.log()
    }
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}

func registerUPnPScenarios(settings: FailoverSettings) {
    let mappedConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, UPnPMetric.mappedMilliseconds], timeUnits: .milliseconds,
        units: [UPnPMetric.mappedMilliseconds: .count], warmupIterations: 0, maxDuration: .seconds(3_600),
        maxIterations: settings.iterations)
    Benchmark("UPnP: Service applied → port mapped on the gateway", configuration: mappedConfiguration) { benchmark in
        let binary = try settings.requireBinary()
        try requireUPnPLab()
        let milliseconds = try await NodeAgentLab.with(binary: binary, nodeCount: 1, extraHosts: [gatewayHost]) { lab in
            let gateway = try await MiniupnpdGateway.start(in: lab.lab, host: try lab.lab.host("gw"))
            try lab.startManagers(settings: upnpManager)
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node1"))
            _ = try await NetworkLab.eventually("node1 to hold the Lease", within: .seconds(30)) {
                try await lab.leaseHolder() == "node1" ? true : nil
            }
            let start = ContinuousClock.now
            benchmark.startMeasurement()
            try await lab.apply(upnpServiceManifest())
            let elapsed = try await millisecondsUntil("the mapping", in: gateway, since: start) { !$0.isEmpty }
            benchmark.stopMeasurement()
            if elapsed > 2000 {
                // An outlier says why: the agent's log (its Warnings name what discovery saw) and the gateway's.
                report("slow mapping (\(Int(elapsed)) ms):\n\(await lab.diagnostics(lines: 80))\nminiupnpd:\n\(gateway.log())", to: settings.summaryFile)
            }
            return elapsed
        }
        benchmark.measurement(UPnPMetric.mappedMilliseconds, Int(milliseconds.rounded()))
        report("UPnP mapped: \(Int(milliseconds.rounded())) ms (kubectl apply and discovery included)", to: settings.summaryFile)
    }

    let takeOverConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, UPnPMetric.takenOverMilliseconds], timeUnits: .milliseconds,
        units: [UPnPMetric.takenOverMilliseconds: .count], warmupIterations: 0, maxDuration: .seconds(3_600),
        maxIterations: settings.iterations)
    Benchmark("UPnP: node lost → mapping made by the next holder, lease 5/3/1", configuration: takeOverConfiguration) {
        benchmark in
        let binary = try settings.requireBinary()
        try requireUPnPLab()
        let milliseconds = try await NodeAgentLab.with(binary: binary, extraHosts: [gatewayHost]) { lab in
            let gateway = try await MiniupnpdGateway.start(in: lab.lab, host: try lab.lab.host("gw"))
            try lab.startManagers(settings: upnpManager)
            try await lab.apply(upnpServiceManifest())
            try await lab.apply(NodeAgentLab.endpointSliceManifest(service: "web", nodeName: "node2"))
            let leader = try await lab.waitForSingleHolder(of: FailoverSettings.address, within: .seconds(60))
            _ = try await millisecondsUntil("the first mapping", in: gateway, since: ContinuousClock.now) {
                $0.first?.description.hasSuffix(leader.name) == true
            }
            let start = ContinuousClock.now
            benchmark.startMeasurement()
            lab.manager(on: leader)?.signal(SIGKILL)
            try await lab.lab.ip("-n", leader.namespace, "link", "set", "eth0", "down")
            let elapsed = try await millisecondsUntil("the mapping made by another node", in: gateway, since: start) {
                $0.count == 1 && $0.first?.description.hasSuffix(leader.name) == false
            }
            benchmark.stopMeasurement()
            return elapsed
        }
        benchmark.measurement(UPnPMetric.takenOverMilliseconds, Int(milliseconds.rounded()))
        report("UPnP take-over: \(Int(milliseconds.rounded())) ms", to: settings.summaryFile)
    }
}

private func requireUPnPLab() throws {
    if let reason = NetworkLab.unavailableReason() { throw FailoverBenchmarkFailure(reason) }
    let missing = NetworkLab.missingTools(["ping", "tcpdump", "kubectl"]) + MiniupnpdGateway.missingTools()
    guard missing.isEmpty else { throw FailoverBenchmarkFailure("missing tools: \(missing)") }
}
