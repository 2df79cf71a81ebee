import Foundation
import KubernetesModels
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension ChildProcessSuites {
/// Three `kube-vip cloud-provider` replicas against `kube-vip dev --no-allocator`, Services created all the
/// while, and the leader stopped in the middle: by SIGKILL (the Lease must expire) or by SIGTERM (the leader
/// hands it over). Whatever happens, every Service ends with its own address. The test's own API client plays
/// the user here, so kubectl is not needed.
@Suite(
    "cloud-provider: three replicas, the leader stopped mid-stream",
    .enabled(if: DevBinary.path != nil, "the kube-vip binary was not found next to the test runner"),
    .timeLimit(.minutes(2))
)
struct CloudProviderFailoverTests {
    static let timing = LeaseTiming(lease: "3s", renew: "2s", retry: "500ms", leaseDuration: .seconds(3))
    /// 254 allocatable addresses (.0 and .255 are never handed out) for 150 Services: room to spare.
    static let pool = (cidr: "198.51.100.0/24", range: IPv4Range("198.51.100.1", "198.51.100.254"))
    static let serviceCount = 150
    /// How many Services exist when the leader is stopped.
    static let stopAfter = 50

    @Test(
        "SIGKILL of the leader: another replica holds the Lease within the lease duration, every Service gets its own address"
    )
    func leaderKilled() async throws {
        let run = try await Self.stopLeaderWhileCreating(with: SIGKILL)
        // Worst case: the last renewal just before the kill, seen a retry period late, plus one retry period.
        #expect(run.handover < Self.timing.leaseDuration + .seconds(2), "hand-over took \(run.handover)")
    }

    @Test("SIGTERM of the leader: it releases the Lease, another replica leads well within the lease duration")
    func leaderTerminated() async throws {
        let run = try await Self.stopLeaderWhileCreating(with: SIGTERM)
        #expect(run.handover < Self.timing.leaseDuration / 2, "hand-over took \(run.handover)")
        #expect(run.stopped.status == 0, "\(run.stopped)")
    }

    struct Run {
        /// From the signal until the Lease names another replica.
        var handover: Duration
        var stopped: KubectlProcess.Result
    }

    /// Creates `serviceCount` Services one by one, stops the leader after `stopAfter`, and checks the outcome
    /// that must hold however the leader stopped; returns how the hand-over went.
    static func stopLeaderWhileCreating(with signal: Int32) async throws -> Run {
        var run: Run?
        try await CloudProviderCluster.with(allocator: false) { cluster in
            try await cluster.createPoolConfigMap(["cidr-global": pool.cidr])
            let replicas = try ["replica-a", "replica-b", "replica-c"].map {
                try cluster.startReplica($0, timing: timing)
            }
            run = try await cluster.withLedger { ledger in
                let leader = try await cluster.waitForLeader(among: replicas)
                let survivors = replicas.filter { $0.identity != leader.identity }
                let names = (0..<serviceCount).map { String(format: "svc-%03d", $0) }

                for name in names.prefix(stopAfter) {
                    try await createPaced(name, in: cluster)
                }
                let signalled = ContinuousClock.now
                async let stopped = leader.process.terminate(with: signal)
                async let successor = successor(of: signalled, among: survivors, in: cluster)
                for name in names.dropFirst(stopAfter) {
                    try await createPaced(name, in: cluster)
                }
                let (next, handover) = try await successor
                let result = await stopped

                let services = try await allAllocated(names, in: cluster)
                let addresses = services.compactMap(\.recordedAddress)
                #expect(Set(addresses).count == names.count, "an address was handed out twice: \(addresses.sorted())")
                for service in services {
                    expectRecord(service, from: pool.range)
                }
                #expect(await ledger.violations == [], "\(cluster.logTails())")
                #expect(try await cluster.leaseHolder() == next.identity)
                return Run(handover: handover, stopped: result)
            }
        }
        guard let run else { throw DevTestFailure("the run ended without a result") }
        return run
    }

    /// The replica that holds the Lease next, and how long after `signalled` the Lease named it.
    private static func successor(
        of signalled: ContinuousClock.Instant, among survivors: [CloudProviderReplica], in cluster: CloudProviderCluster
    ) async throws -> (CloudProviderReplica, Duration) {
        let next = try await cluster.waitForLeader(among: survivors, within: .seconds(20))
        return (next, ContinuousClock.now - signalled)
    }

    /// One Service, then a short pause, so that creation goes on through the whole hand-over rather than
    /// finishing before it (the pause shapes the load; nothing waits on it).
    private static func createPaced(_ name: String, in cluster: CloudProviderCluster) async throws {
        try await cluster.createLoadBalancerService(name)
        try await Task.sleep(for: .milliseconds(35))
    }

    /// Polls until every named Service carries an address: none may stay pending while the pool has room.
    static func allAllocated(
        _ names: [String], in cluster: CloudProviderCluster, within limit: Duration = .seconds(20)
    ) async throws -> [KubernetesService] {
        let wanted = Set(names)
        let what = "all \(names.count) Services to have an address"
        return try await eventually(what, within: limit, every: .milliseconds(100)) {
            let services = try await cluster.services().filter { wanted.contains($0.metadata.name ?? "") }
            return services.count == names.count && services.allSatisfy { $0.recordedAddress != nil } ? services : nil
        } diagnostics: {
            cluster.logTails()
        }
    }
}
}
