import Foundation
import KubernetesAPIServer
import KubernetesClient
import KubernetesModels
import Testing

@Suite("Writes against the embedded API server", .timeLimit(.minutes(1)))
struct WriteIntegrationTests {
    static func lease(holder: String) -> Lease {
        Lease(
            metadata: ObjectMeta(name: "plndr-svcs-lock", namespace: "kube-system"),
            spec: LeaseSpec(
                holderIdentity: holder, leaseDurationSeconds: 15, renewTime: MicroTime(Date()), leaseTransitions: 0))
    }

    @Test("a stale Lease update gets a conflict; re-reading and writing again succeeds")
    func leaseOptimisticConcurrency() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                let created = try await client.createOrUpdateLease(Self.lease(holder: "node-1"))
                #expect(created.metadata.resourceVersion != nil)

                var theirs = created
                theirs.spec?.holderIdentity = "node-2"
                theirs.spec?.leaseTransitions = 1
                _ = try await client.createOrUpdateLease(theirs)

                var ours = created
                ours.spec?.renewTime = MicroTime(Date())
                await #expect {
                    _ = try await client.createOrUpdateLease(ours)
                } throws: { error in
                    guard case .conflict(let status) = error as? KubernetesClientError else { return false }
                    return status.code == 409
                }

                var fresh = try await client.get(.leases, namespace: "kube-system", name: "plndr-svcs-lock", as: Lease.self)
                #expect(fresh.spec?.holderIdentity == "node-2")
                fresh.spec?.holderIdentity = "node-1"
                let transitions = fresh.spec?.leaseTransitions ?? 0
                fresh.spec?.leaseTransitions = transitions + 1
                let taken = try await client.createOrUpdateLease(fresh)
                #expect(taken.spec?.holderIdentity == "node-1")
                #expect(taken.spec?.leaseTransitions == 2)
            }
        }
    }

    @Test("creating a Lease that already exists is reported as a conflict")
    func leaseCreateRace() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                _ = try await client.createOrUpdateLease(Self.lease(holder: "node-1"))
                await #expect {
                    _ = try await client.createOrUpdateLease(Self.lease(holder: "node-2"))
                } throws: { error in
                    guard case .conflict = error as? KubernetesClientError else { return false }
                    return true
                }
            }
        }
    }

    @Test("Service metadata and status patches change only what they name")
    func servicePatches() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                let service = KubernetesService(
                    metadata: ObjectMeta(name: "web", namespace: "default", annotations: ["keep": "me"]),
                    spec: ServiceSpec(type: "LoadBalancer", ports: [ServicePort(protocol: "TCP", port: 80, targetPort: 8080)]))
                _ = try await client.create(.services, namespace: "default", service)

                let labelled = try await client.patchServiceMetadata(
                    namespace: "default", name: "web", annotations: ["kube-vip.io/loadbalancerIPs": "192.0.2.10"],
                    labels: ["implementation": "kube-vip"])
                #expect(labelled.metadata.annotations == ["keep": "me", "kube-vip.io/loadbalancerIPs": "192.0.2.10"])
                #expect(labelled.metadata.labels?["implementation"] == "kube-vip")

                let removed = try await client.patchServiceMetadata(namespace: "default", name: "web", annotations: ["keep": nil])
                #expect(removed.metadata.annotations?["keep"] == nil)

                let withStatus = try await client.patchServiceStatus(
                    namespace: "default", name: "web",
                    loadBalancer: LoadBalancerStatus(ingress: [LoadBalancerIngress(ip: "192.0.2.10")]))
                #expect(withStatus.status?.loadBalancer?.ingress?.map(\.ip) == ["192.0.2.10"])
                #expect(withStatus.spec?.ports?.first?.targetPort == 8080)

                let raw = try await client.get(.services, namespace: "default", name: "web")
                #expect(raw[path: "status", "loadBalancer", "ingress"] == [["ip": "192.0.2.10"]])
            }
        }
    }

    @Test("read-modify-write on the raw object keeps fields the models do not know")
    func readModifyWriteKeepsUnknownFields() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                var object = configMap("settings", "1")
                object["binaryData"] = ["blob": "AAEC"]
                object[path: "metadata", "labels"] = ["team": "net"]
                _ = try await client.create(.configMaps, namespace: "default", object: object)
                let written = try await client.readModifyWrite(.configMaps, namespace: "default", name: "settings") {
                    $0[path: "data", "value"] = "2"
                }
                #expect(written[path: "data", "value"] == "2")
                #expect(written["binaryData"] == ["blob": "AAEC"])
                #expect(written[path: "metadata", "labels"] == ["team": "net"])
            }
        }
    }

    @Test("lists follow continue tokens and honour label selectors")
    func paginationAndSelectors() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                for index in 0..<7 {
                    var object = configMap("item-\(index)", "\(index)")
                    object[path: "metadata", "labels"] = ["parity": index % 2 == 0 ? "even" : "odd"]
                    _ = try await client.create(.configMaps, namespace: "default", object: object)
                }
                let firstPage = try await client.list(.configMaps, namespace: "default", query: ListQuery(limit: 3))
                #expect(firstPage.items.count == 3)
                #expect(firstPage.metadata.continue?.isEmpty == false)

                let all = try await client.listAll(.configMaps, namespace: "default", pageSize: 2, as: ConfigMap.self)
                #expect(all.items.compactMap(\.metadata.name).filter { $0.hasPrefix("item-") }.count == 7)
                #expect(!all.resourceVersion.isEmpty)

                let odd = try await client.listAll(
                    .configMaps, namespace: "default", query: ListQuery(labelSelector: "parity in (odd),parity!=even"),
                    pageSize: 2, as: ConfigMap.self)
                #expect(odd.items.compactMap(\.metadata.name).sorted() == ["item-1", "item-3", "item-5"])
            }
        }
    }

    @Test("failures carry the server's Status: not found, already exists")
    func typedErrors() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                await #expect {
                    _ = try await client.get(.services, namespace: "default", name: "missing")
                } throws: { error in
                    guard case .notFound(let status) = error as? KubernetesClientError else { return false }
                    return status.message == #"services "missing" not found"#
                }
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("x", "1"))
                await #expect {
                    _ = try await client.create(.configMaps, namespace: "default", object: configMap("x", "1"))
                } throws: { error in
                    guard case .alreadyExists = error as? KubernetesClientError else { return false }
                    return true
                }
            }
        }
    }

    @Test("N requests at q per second with burst b take at least (N - b) / q seconds")
    func rateLimitHolds() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port, rateLimit: RateLimit(queriesPerSecond: 20, burst: 5)) { client in
                let clock = ContinuousClock()
                let start = clock.now
                for _ in 0..<15 {
                    _ = try await client.list(.namespaces, namespace: nil)
                }
                let elapsed = start.duration(to: clock.now)
                #expect(elapsed >= .milliseconds(500))
            }
        }
    }
}
