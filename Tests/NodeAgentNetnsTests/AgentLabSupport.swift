import Foundation
import NetworkLab
import Testing

/// Where the built `kube-vip` is: the test runner lives in the build products directory next to the executables.
enum AgentBinary {
    static let path = NetworkLab.builtExecutable("kube-vip")
}

/// Why the end-to-end suite cannot run here, nil when it can.
enum AgentLabRequirements {
    static let missingTools = NetworkLab.missingTools(["ping", "tcpdump", "kubectl"])
    static var toolsPresent: Bool { missingTools.isEmpty }
}

struct AgentLabFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Builds the node-agent lab for one test and prints the agents' logs when the test body throws, so a CI log
/// says what the agents did.
func withAgentLab(
    nodeCount: Int = 3, extraHosts: [HostSpec] = [], ipv6: Bool = false, allocator: Bool = false,
    _ body: (NodeAgentLab) async throws -> Void
) async throws {
    guard let binary = AgentBinary.path else { throw AgentLabFailure("no kube-vip binary next to the test runner") }
    try await NodeAgentLab.with(
        binary: binary, nodeCount: nodeCount, extraHosts: extraHosts, ipv6: ipv6, allocator: allocator
    ) { lab in
        do {
            try await body(lab)
        } catch {
            print("--- lab diagnostics after \(error):\n\(await lab.diagnostics())")
            throw error
        }
        if ProcessInfo.processInfo.environment["NODE_AGENT_LAB_LOGS"] != nil {
            print(await lab.diagnostics(lines: 200))
        }
    }
}

/// Records an issue carrying the lab's diagnostics when `condition` is false.
func check(
    _ condition: Bool, _ message: @autoclosure () -> String, in lab: NodeAgentLab,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    guard !condition else { return }
    let details = await lab.diagnostics()
    Issue.record("\(message())\n\(details)", sourceLocation: sourceLocation)
}

/// Milliseconds since `start`, for the printed timings.
func milliseconds(since start: ContinuousClock.Instant) -> Int {
    let elapsed = ContinuousClock.now - start
    return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
}

/// The timings the README quotes are printed with this prefix, so they can be picked out of a CI log.
func reportTiming(_ line: String) {
    print("[node-agent timing] \(line)")
}

/// `NetworkLab.eventually`, short.
func eventually<T: Sendable>(
    _ what: String, within limit: Duration, every interval: Duration = .milliseconds(100),
    _ check: () async throws -> T?, diagnostics: () async -> String = { "" }
) async throws -> T {
    try await NetworkLab.eventually(what, within: limit, every: interval, check, diagnostics: diagnostics)
}
