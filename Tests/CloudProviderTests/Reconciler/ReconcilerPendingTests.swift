import IPAM
import KubernetesModels
import Testing

@testable import CloudProvider

@Suite("Allocation: pending Services and ConfigMap edits")
struct ReconcilerPendingTests {
    static let onePool = ["range-global": "192.0.2.10-192.0.2.10"]

    @Test("an exhausted pool leaves the Service pending with one PoolExhausted Warning")
    func exhausted() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("first"))
        try cluster.create(makeService("second"))
        #expect(cluster.writes(for: "second").isEmpty)
        let warning = try #require(cluster.events(reason: "PoolExhausted").only)
        #expect(warning.kind == .warning)
        #expect(warning.service == ServiceKey(namespace: "default", name: "second"))
        #expect(cluster.reconciler.pending[ServiceKey(namespace: "default", name: "second")]?.reason == "PoolExhausted")
    }

    @Test("retries of a pending Service do not repeat its Warning")
    func exhaustedReportedOnce() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("first"))
        try cluster.create(makeService("second"))
        try cluster.edit("second") { $0.metadata.labels = ["team": "blue"] }
        try cluster.edit("second") { $0.metadata.labels = ["team": "green"] }
        try cluster.configure(["range-global": "192.0.2.10-192.0.2.10", "allow-share-global": "false"])
        #expect(cluster.events(reason: "PoolExhausted").count == 1)
    }

    @Test("a pending Service is served as soon as another Service is deleted")
    func servedAfterDeletion() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("first"))
        try cluster.create(makeService("second"))
        try cluster.delete("first")
        #expect(cluster.record("second") == "192.0.2.10")
        #expect(cluster.reconciler.pending.isEmpty)
    }

    @Test("a deleted Service's address goes to the next new Service")
    func deletionFreesAddress() throws {
        var cluster = ReconcilerHarness(["range-global": "192.0.2.10-192.0.2.11"])
        try cluster.lead()
        try cluster.create(makeService("a"))
        try cluster.create(makeService("b"))
        try cluster.delete("a")
        try cluster.create(makeService("c"))
        #expect(cluster.record("c") == "192.0.2.10")
    }

    @Test("a Service being deleted gives its address back without a write")
    func deletingService() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("first"))
        try cluster.create(makeService("second"))
        cluster.clearHistory()
        try cluster.edit("first") { $0.metadata.deletionTimestamp = timestamp(60) }
        #expect(cluster.writes(for: "first").isEmpty)
        #expect(cluster.record("second") == "192.0.2.10")
    }

    @Test("a ConfigMap edit serves pending Services at once")
    func configMapServesPending() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("first"))
        try cluster.create(makeService("second"))
        try cluster.configure(["range-global": "192.0.2.10-192.0.2.11"])
        #expect(cluster.record("second") == "192.0.2.11")
    }

    @Test("a Service created before any ConfigMap is served when the ConfigMap appears")
    func configMapArrivesLate() throws {
        var cluster = ReconcilerHarness([:])
        try cluster.lead()
        try cluster.create(makeService("web"))
        #expect(cluster.events(reason: "NoAddressPool").count == 1)
        try cluster.configure(Self.onePool)
        #expect(cluster.record("web") == "192.0.2.10")
    }

    @Test("a ConfigMap edit never moves an address, and reports one that left its pool once")
    func driftReportedOnce() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("web"))
        cluster.clearHistory()
        try cluster.configure(["range-global": "192.0.2.20-192.0.2.21"])
        try cluster.configure(["range-global": "192.0.2.20-192.0.2.22"])
        try cluster.edit("web") { $0.metadata.labels?["team"] = "blue" }
        #expect(cluster.record("web") == "192.0.2.10")
        #expect(cluster.writes(for: "web").isEmpty)
        let warning = try #require(cluster.events(reason: "AddressOutsidePool").only)
        #expect(warning.kind == .warning)
        #expect(warning.message.contains("192.0.2.10"))
    }

    @Test("after a ConfigMap edit new Services draw from the new pool")
    func newPoolUsed() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("old"))
        try cluster.configure(["range-global": "192.0.2.20-192.0.2.21"])
        try cluster.create(makeService("new"))
        #expect(cluster.record("new") == "192.0.2.20")
        #expect(cluster.record("old") == "192.0.2.10")
    }

    @Test("a pool key with no usable entry leaves Services pending with InvalidPool naming the key")
    func invalidPool() throws {
        var cluster = ReconcilerHarness(["range-global": "192.0.2.20-192.0.2.10"])
        try cluster.lead()
        try cluster.create(makeService("web"))
        let warning = try #require(cluster.events(reason: "InvalidPool").only)
        #expect(warning.message.contains("range-global"))
        #expect(cluster.writes.isEmpty)
    }

    @Test("a broken namespace pool does not fall back to the global pool")
    func invalidNamespacePool() throws {
        var cluster = ReconcilerHarness(["cidr-web": "banana", "range-global": "192.0.2.10-192.0.2.12"])
        try cluster.lead()
        try cluster.create(makeService("app", namespace: "web"))
        #expect(cluster.events(reason: "InvalidPool").only?.message.contains("cidr-web") == true)
        #expect(cluster.record("app", namespace: "web") == nil)
    }

    @Test("Warnings name the reason a Service waits: no pool at all")
    func noPool() throws {
        var cluster = ReconcilerHarness(["range-other": "192.0.2.10-192.0.2.12"])
        try cluster.lead()
        try cluster.create(makeService("web"))
        #expect(cluster.events(reason: "NoAddressPool").only?.kind == .warning)
    }
}
