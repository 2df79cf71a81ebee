import Foundation
import KubernetesModels
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension ChildProcessSuites {
/// Every replica restarted at once (a rollout, a node drain) with 1,000 Services allocated: the new leader
/// rebuilds its state from the Services' records, so nothing moves and nothing already recorded is written
/// again, and a new Service gets a free address. The test's own API client plays the user (1,000 Services are
/// created with 16 requests in flight), so kubectl is not needed.
@Suite(
    "cloud-provider: a restart of every replica with 1,000 Services",
    .enabled(if: DevBinary.path != nil, "the kube-vip binary was not found next to the test runner"),
    .timeLimit(.minutes(2))
)
struct CloudProviderRestartTests {
    static let timing = LeaseTiming(lease: "3s", renew: "2s", retry: "500ms", leaseDuration: .seconds(3))
    /// 2,032 allocatable addresses (the .0 and .255 of each /24 are skipped) for 1,001 Services.
    static let pool = (cidr: "198.18.0.0/21", range: IPv4Range("198.18.0.1", "198.18.7.254"))
    static let serviceCount = 1_000
    /// Writes are not rate limited here: the first allocation of 1,000 Services is setup, not the subject.
    static let unlimited = ["--kube-api-qps", "0"]

    @Test("nothing moves and nothing recorded is rewritten; the new leader is ready and allocates a new Service")
    func restartKeepsEveryAddress() async throws {
        try await CloudProviderCluster.with(allocator: false) { cluster in
            try await cluster.createPoolConfigMap(["cidr-global": Self.pool.cidr])
            let first = try ["replica-a", "replica-b", "replica-c"].map {
                try cluster.startReplica($0, timing: Self.timing, extra: Self.unlimited)
            }
            _ = try await cluster.waitForLeader(among: first)
            let names = (0..<Self.serviceCount).map { String(format: "svc-%04d", $0) }
            try await cluster.createLoadBalancerServices(names, concurrency: 16)
            let allocated = try await CloudProviderFailoverTests.allAllocated(names, in: cluster, within: .seconds(45))
            let recorded = Dictionary(uniqueKeysWithValues: allocated.map { ($0.key, $0) })
            let taken = Set(allocated.compactMap(\.recordedAddress))
            try #require(taken.count == Self.serviceCount, "an address was handed out twice before the restart")

            try await cluster.withLedger { ledger in
                await ledger.freeze(recorded.compactMapValues(\.metadata.resourceVersion))
                let exits = await withTaskGroup(of: KubectlProcess.Result.self) { group in
                    for replica in first {
                        group.addTask { await replica.process.terminate(with: SIGTERM) }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(exits.allSatisfy { $0.status == 0 }, "\(exits)")

                let second = try ["replica-d", "replica-e", "replica-f"].map {
                    try cluster.startReplica($0, timing: Self.timing, extra: Self.unlimited)
                }
                let leader = try await cluster.waitForLeader(among: second)
                _ = try await eventually("\(leader.identity) to answer /readyz with 200", within: .seconds(15)) {
                    try await leader.readiness() == 200 ? true : nil
                } diagnostics: {
                    cluster.logTails()
                }
                try await cluster.createLoadBalancerService("after-restart")
                let fresh = try await cluster.waitForAddress("after-restart")
                expectRecord(fresh, from: Self.pool.range)
                #expect(!taken.contains(fresh.recordedAddress ?? ""), "\(fresh.recordedAddress ?? "-") was taken")

                let now = try await cluster.services()
                var moved: [String] = []
                var rewritten: [String] = []
                for service in now {
                    guard let before = recorded[service.key] else { continue }
                    if service.recordedAddress != before.recordedAddress {
                        moved.append(
                            "\(service.key): \(before.recordedAddress ?? "-") → \(service.recordedAddress ?? "-")")
                    }
                    if service.metadata.resourceVersion != before.metadata.resourceVersion {
                        rewritten.append(service.key)
                    }
                }
                #expect(now.filter { recorded[$0.key] != nil }.count == Self.serviceCount)
                #expect(moved == [])
                #expect(rewritten == [], "\(rewritten.count) recorded Services were written again")
                #expect(await ledger.rewrites == [])
                #expect(await ledger.violations == [])
            }
        }
    }
}
}
