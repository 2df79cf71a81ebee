import KubernetesClient
import KubernetesModels
import LeaderElection
import Logging
import Testing

@Suite("Leader election over HTTP", .timeLimit(.minutes(1)))
struct LeaderElectionIntegrationTests {
    private enum Event: Sendable {
        case change(String, Leadership)
        case stopped(String)
    }

    private struct EventsEnded: Error {}

    private struct Replica: Sendable {
        let identity: String
        let elector: LeaderElector
        let stopSignal: AsyncStream<Void>
        let stop: AsyncStream<Void>.Continuation
    }

    private static let leaseDuration = Duration.seconds(20)

    private static func replica(_ identity: String, client: KubernetesClient) -> Replica {
        var logger = Logger(label: "leader-election-tests.\(identity)")
        logger.logLevel = .critical
        // A short retry for a quick hand-over, but a long lease: a loaded machine that delays the renewals
        // by a second must not close the leader's fence or let the Lease expire, and a hand-over by release
        // (one retry) must stay far from one by expiry (`leaseDuration`).
        let configuration = LeaderElectionConfiguration(
            leaseName: "kube-vip-cloud-controller", namespace: "kube-system", identity: identity,
            leaseDuration: Self.leaseDuration, renewDeadline: .seconds(15), retryPeriod: .milliseconds(200))
        let (stopSignal, stop) = AsyncStream<Void>.makeStream()
        return Replica(
            identity: identity, elector: LeaderElector(configuration: configuration, store: client, logger: logger),
            stopSignal: stopSignal, stop: stop)
    }

    @Test("two replicas on a real API server: one leads; cancelling and releasing it hands over within a retry")
    func handOver() async throws {
        try await withAPIServer { port in
            try await withClient(port: port) { firstClient in
                try await withClient(port: port) { secondClient in
                    let replicas = [Self.replica("a", client: firstClient), Self.replica("b", client: secondClient)]
                    let (events, sink) = AsyncStream<Event>.makeStream()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for replica in replicas {
                            group.addTask {
                                for await change in replica.elector.changes {
                                    sink.yield(.change(replica.identity, change))
                                }
                            }
                            group.addTask {
                                await withTaskGroup(of: Void.self) { running in
                                    running.addTask { await replica.elector.run() }
                                    running.addTask {
                                        for await _ in replica.stopSignal { break }
                                    }
                                    _ = await running.next()
                                    running.cancelAll()
                                }
                                sink.yield(.stopped(replica.identity))
                            }
                        }
                        do {
                            try await Self.checkHandOver(replicas, events: events, client: firstClient)
                        } catch {
                            group.cancelAll()
                            throw error
                        }
                        group.cancelAll()
                    }
                }
            }
        }
    }

    private static func checkHandOver(
        _ replicas: [Replica], events: AsyncStream<Event>, client: KubernetesClient
    ) async throws {
        var events = events.makeAsyncIterator()
        func next() async throws -> Event {
            guard let event = await events.next() else { throw EventsEnded() }
            return event
        }
        var latest: [String: Leadership] = [:]
        // Wait until the replicas agree: one leads, the other follows it.
        var leader: String?
        while leader == nil {
            guard case .change(let identity, let leadership) = try await next() else { continue }
            latest[identity] = leadership
            let leaders = latest.filter { $0.value == .leading }.map(\.key)
            #expect(leaders.count <= 1, "two replicas reported leading")
            if let only = leaders.first, latest.values.contains(.following(holder: only)) { leader = only }
        }
        let leading = try #require(replicas.first { $0.identity == leader })
        let following = try #require(replicas.first { $0.identity != leader })
        #expect(leading.elector.fence.permitsWrites())
        #expect(!following.elector.fence.permitsWrites())

        leading.stop.yield()
        while true {
            guard case .stopped(let identity) = try await next() else { continue }
            if identity == leading.identity { break }
        }
        let clock = ContinuousClock()
        let releasedAt = clock.now
        await leading.elector.release()
        #expect(!leading.elector.fence.permitsWrites())
        while true {
            if case .change(following.identity, .leading) = try await next() { break }
        }
        let handOver = releasedAt.duration(to: clock.now)
        #expect(
            handOver < leaseDuration / 2,
            "took \(handOver); an unreleased Lease is only taken over after leaseDuration (\(leaseDuration))")
        #expect(following.elector.fence.permitsWrites())

        let lease = try await client.get(
            .leases, namespace: "kube-system", name: "kube-vip-cloud-controller", as: Lease.self)
        #expect(lease.spec?.holderIdentity == following.identity)
        #expect(lease.spec?.leaseTransitions == 1)
    }
}
