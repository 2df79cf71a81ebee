import IPAM
import KubeVipConventions
import KubernetesModels
import Testing

@testable import CloudProvider

@Suite("Allocation: type changes and refused writes")
struct ReconcilerLifecycleTests {
    static let onePool = ["range-global": "192.0.2.10-192.0.2.10"]

    @Test("a Service switched away from LoadBalancer has its marks taken off")
    func typeChangeRemoval() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("web"))
        cluster.clearHistory()
        try cluster.edit("web") { $0.spec?.type = "ClusterIP" }
        let write = try #require(cluster.writes(for: "web").only)
        #expect(
            write.patch == [
                "metadata": ["annotations": ["kube-vip.io/loadbalancerIPs": nil], "labels": ["implementation": nil]],
                "spec": ["loadBalancerIP": nil],
            ])
        let stored = try #require(cluster.service("web"))
        #expect(stored.metadata.annotations?[KubeVipKeys.loadBalancerIPs] == nil)
        #expect(stored.metadata.labels?[KubeVipKeys.implementationLabel] == nil)
        #expect(stored.spec?.loadBalancerIP == nil)
    }

    @Test("the address a type change frees serves a pending Service")
    func typeChangeFreesAddress() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("web"))
        try cluster.create(makeService("waiting"))
        try cluster.edit("web") { $0.spec?.type = "ClusterIP" }
        #expect(cluster.record("waiting") == "192.0.2.10")
    }

    @Test("a Service that changed class is released like one that changed type")
    func classChangeRemoval() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("web"))
        try cluster.edit("web") { $0.spec?.loadBalancerClass = "example.com/other" }
        #expect(cluster.record("web") == nil)
        #expect(cluster.reconciler.allocator?.assignmentCount == 0)
    }

    @Test("a ClusterIP Service still carrying the marks gets them taken off when allocation starts")
    func leftoverMarksRemovedOnStart() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.create(
            makeService(
                "old", type: "ClusterIP", record: "192.0.2.10", labels: ["implementation": "kube-vip"]))
        try cluster.lead()
        #expect(cluster.record("old") == nil)
        #expect(cluster.service("old")?.metadata.labels?[KubeVipKeys.implementationLabel] == nil)
    }

    @Test("after a refused write nothing more is written for the Service until a newer version arrives")
    func conflictWaitsForNewerVersion() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        cluster.holdWrites = true
        try cluster.create(makeService("web"))
        let seen = try #require(cluster.service("web"))
        try cluster.lead()
        let first = try #require(cluster.writes(for: "web").only)
        #expect(first.isGuarded)

        try cluster.edit("web", delivered: false) { $0.metadata.labels = ["team": "blue"] }
        try cluster.releaseHeldWrites()
        #expect(cluster.conflicts == [first])

        try cluster.deliver(seen)
        #expect(cluster.writes(for: "web").count == 1)

        let newer = try #require(cluster.service("web"))
        try cluster.deliver(newer)
        let retry = try #require(cluster.writes(for: "web").last)
        #expect(cluster.writes(for: "web").count == 2)
        #expect(retry.patch?[path: "metadata", "resourceVersion"]?.stringValue == newer.metadata.resourceVersion)
        try cluster.releaseHeldWrites()
        #expect(cluster.record("web") == "192.0.2.10")
        #expect(cluster.service("web")?.metadata.labels == ["team": "blue", "implementation": "kube-vip"])
    }

    @Test("a write is not guarded when it only adds what is missing around an unchanged record")
    func refusedWriteNotNeededForLabel() throws {
        var cluster = ReconcilerHarness(Self.onePool)
        try cluster.lead()
        try cluster.create(makeService("web", record: "192.0.2.10", loadBalancerIP: "192.0.2.10"))
        #expect(cluster.writes(for: "web").only?.isGuarded == false)
        #expect(cluster.service("web")?.metadata.labels?[KubeVipKeys.implementationLabel] == "kube-vip")
    }
}
