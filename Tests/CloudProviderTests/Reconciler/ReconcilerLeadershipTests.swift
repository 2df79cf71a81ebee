import IPAM
import KubernetesModels
import Testing

@testable import CloudProvider

@Suite("Allocation: leadership and rebuilding from records")
struct ReconcilerLeadershipTests {
    static let pools = ["range-global": "192.0.2.10-192.0.2.12"]

    @Test("a follower mirrors Services but makes no decisions")
    func followerIsQuiet() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.create(makeService("web"))
        try cluster.configure(["range-global": "192.0.2.10-192.0.2.20"])
        try cluster.delete("web")
        #expect(!cluster.reconciler.isAllocating)
        #expect(cluster.writes.isEmpty)
        #expect(cluster.events.isEmpty)
    }

    @Test("a replica that lost leadership stops writing at once")
    func stopsWhenFollowing() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        cluster.follow()
        try cluster.create(makeService("web"))
        #expect(cluster.writes.isEmpty)
        #expect(cluster.reconciler.allocator == nil)
    }

    @Test("on taking over, every Service is served")
    func servesOnStart() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.create(makeService("web"))
        try cluster.lead()
        #expect(cluster.record("web") == "192.0.2.10")
    }

    @Test("records are rebuilt before the first choice: an older unrecorded Service skips a younger one's address")
    func rebuildBeforeAllocating() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.create(makeService("fresh", created: timestamp(0)))
        try cluster.create(recordedService("held", namespace: "other", created: timestamp(1), "192.0.2.10"))
        try cluster.lead()
        #expect(cluster.record("fresh") == "192.0.2.11")
        #expect(cluster.writes(for: "held", namespace: "other").isEmpty)
    }

    @Test("two namespaces with overlapping pools never receive one address twice")
    func overlappingNamespacePools() throws {
        var cluster = ReconcilerHarness(["range-a": "192.0.2.10-192.0.2.11", "range-b": "192.0.2.10-192.0.2.11"])
        try cluster.create(makeService("new", namespace: "b", created: timestamp(0)))
        try cluster.create(recordedService("old", namespace: "a", created: timestamp(1), "192.0.2.10"))
        try cluster.lead()
        #expect(cluster.record("new", namespace: "b") == "192.0.2.11")
    }

    @Test("a namespace pool inside the global pool never hands out an address a global Service holds")
    func namespacePoolInsideGlobal() throws {
        var cluster = ReconcilerHarness(["cidr-global": "192.0.2.0/28", "range-web": "192.0.2.1-192.0.2.3"])
        try cluster.create(makeService("new", namespace: "web", created: timestamp(0)))
        try cluster.create(recordedService("old", namespace: "other", created: timestamp(1), "192.0.2.1"))
        try cluster.lead()
        #expect(cluster.record("new", namespace: "web") == "192.0.2.2")
    }

    @Test("a Service that already shows its record costs no write when allocation starts")
    func recordedServiceUntouched() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.create(recordedService("web", "192.0.2.11"))
        try cluster.lead()
        #expect(cluster.writes.isEmpty)
        #expect(cluster.allocations.isEmpty, "a restored address is not a new allocation")
        #expect(cluster.reconciler.allocator?.assignment(for: ServiceKey(namespace: "default", name: "web"))?.origin == .pool)
    }

    @Test("of two restored Services with one pool address, the younger gets a new one and an AddressConflict Warning")
    func restoredDuplicate() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.create(recordedService("younger", namespace: "b", created: timestamp(5), "192.0.2.10"))
        try cluster.create(recordedService("older", namespace: "a", created: timestamp(1), "192.0.2.10"))
        try cluster.lead()
        #expect(cluster.record("older", namespace: "a") == "192.0.2.10")
        #expect(cluster.writes(for: "older", namespace: "a").isEmpty)
        #expect(cluster.record("younger", namespace: "b") == "192.0.2.11")
        #expect(cluster.service("younger", namespace: "b")?.spec?.loadBalancerIP == "192.0.2.11")
        let warning = try #require(cluster.events(reason: "AddressConflict").only)
        #expect(warning.service == ServiceKey(namespace: "b", name: "younger"))
        #expect(warning.kind == .warning)
        #expect(warning.message.contains("a/older"))
        #expect(Set(cluster.recordedAddresses).count == cluster.recordedAddresses.count)
    }

    @Test("a restored address conflict is reported once, not again on the next change")
    func restoredDuplicateReportedOnce() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.create(recordedService("older", created: timestamp(1), "192.0.2.10"))
        try cluster.create(recordedService("younger", created: timestamp(5), "192.0.2.10"))
        try cluster.lead()
        try cluster.edit("younger") { $0.metadata.labels?["team"] = "blue" }
        try cluster.configure(["range-global": "192.0.2.10-192.0.2.13"])
        #expect(cluster.events(reason: "AddressConflict").count == 1)
        #expect(cluster.record("younger") == "192.0.2.11")
    }
}
