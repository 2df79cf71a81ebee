import IPAM
import KubeVipConventions
import KubernetesModels
import Testing

@testable import CloudProvider

@Suite("Allocation: what a Service asks for")
struct ReconcilerRequestTests {
    static let pools = ["range-global": "192.0.2.10-192.0.2.12"]

    @Test("a new Service gets the first free pool address, recorded on annotation, label and spec.loadBalancerIP")
    func poolAllocation() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        try cluster.create(makeService("web"))
        let stored = try #require(cluster.service("web"))
        #expect(stored.metadata.annotations?[KubeVipKeys.loadBalancerIPs] == "192.0.2.10")
        #expect(stored.metadata.labels?[KubeVipKeys.implementationLabel] == "kube-vip")
        #expect(stored.spec?.loadBalancerIP == "192.0.2.10")
        let assigned = try #require(cluster.events(reason: "AddressAssigned").only)
        #expect(assigned.kind == .normal)
        #expect(assigned.message == "assigned 192.0.2.10 from the global pool")
        #expect(cluster.writes(for: "web").count == 1)
        #expect(cluster.allocations == [ServiceKey(namespace: "default", name: "web")])
    }

    @Test("a legacy Service with only spec.loadBalancerIP keeps that address and gets the annotation")
    func legacyMigration() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.create(makeService("legacy", loadBalancerIP: "192.0.2.11", labels: ["ipam-address": "192.0.2.11"]))
        try cluster.lead()
        let write = try #require(cluster.writes(for: "legacy").only)
        #expect(write.patch?[path: "spec"] == nil)
        #expect(write.isGuarded)
        let stored = try #require(cluster.service("legacy"))
        #expect(stored.metadata.annotations?[KubeVipKeys.loadBalancerIPs] == "192.0.2.11")
        #expect(stored.metadata.labels == ["implementation": "kube-vip"])
        #expect(cluster.events.allSatisfy { $0.kind == .normal })
    }

    @Test("a legacy Service keeps its address even when an older unrecorded Service is served first")
    func legacyAddressNotTakenByOlderService() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.create(makeService("fresh", created: timestamp(0)))
        try cluster.create(makeService("legacy", created: timestamp(1), loadBalancerIP: "192.0.2.10"))
        try cluster.lead()
        #expect(cluster.record("legacy") == "192.0.2.10")
        #expect(cluster.record("fresh") == "192.0.2.11")
        #expect(cluster.events(reason: "AddressInUse").isEmpty)
    }

    @Test("of two legacy Services asking for one pool address on restart, the younger is refused as at run time")
    func legacyDuplicateOnRestart() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.create(makeService("older", created: timestamp(1), loadBalancerIP: "192.0.2.10"))
        try cluster.create(makeService("younger", created: timestamp(2), loadBalancerIP: "192.0.2.10"))
        try cluster.lead()
        #expect(cluster.record("older") == "192.0.2.10")
        #expect(cluster.record("younger") == nil)
        #expect(cluster.events(reason: "AddressInUse").only?.service == ServiceKey(namespace: "default", name: "younger"))
        #expect(cluster.events(reason: "AddressConflict").isEmpty)
    }

    @Test("a static address outside every pool is honoured")
    func staticOutsidePool() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        try cluster.create(makeService("static", record: "198.51.100.7"))
        #expect(
            cluster.writes(for: "static").first?.patch == [
                "metadata": ["labels": ["implementation": "kube-vip"]], "spec": ["loadBalancerIP": "198.51.100.7"],
            ])
        #expect(cluster.record("static") == "198.51.100.7")
        #expect(cluster.events(reason: "AddressAssigned").only?.message == "using requested address 198.51.100.7")
        #expect(cluster.events.allSatisfy { $0.kind == .normal })
    }

    @Test("a static address another Service holds leaves the Service pending with an AddressInUse Warning")
    func staticCollision() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        try cluster.create(makeService("first", record: "198.51.100.7"))
        try cluster.create(makeService("second", record: "198.51.100.7"))
        #expect(cluster.writes(for: "second").isEmpty)
        let warning = try #require(cluster.events(reason: "AddressInUse").only)
        #expect(warning.service == ServiceKey(namespace: "default", name: "second"))
        #expect(warning.kind == .warning)
        #expect(warning.message.contains("default/first"))
        #expect(cluster.reconciler.pending[ServiceKey(namespace: "default", name: "second")]?.reason == "AddressInUse")
    }

    @Test("a static request for an address the allocator gave another Service is refused")
    func staticRequestForPoolAddress() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        try cluster.create(makeService("first"))
        try cluster.create(makeService("second", record: "192.0.2.10"))
        #expect(cluster.events(reason: "AddressInUse").count == 1)
        #expect(cluster.record("first") == "192.0.2.10")
        #expect(cluster.service("second")?.metadata.labels == nil)
    }

    @Test("a static collision found on restart leaves the younger Service pending")
    func staticCollisionOnRestart() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.create(recordedService("first", created: timestamp(1), "198.51.100.7"))
        try cluster.create(recordedService("second", created: timestamp(2), "198.51.100.7"))
        try cluster.lead()
        #expect(cluster.events(reason: "AddressInUse").only?.service == ServiceKey(namespace: "default", name: "second"))
        #expect(cluster.events(reason: "AddressConflict").isEmpty)
        #expect(cluster.writes.isEmpty)
    }

    @Test("the DHCP pool passes 0.0.0.0 through to the annotation and never to status")
    func dhcpPassThrough() throws {
        var cluster = ReconcilerHarness(["cidr-global": "0.0.0.0/32"], writeStatus: true)
        try cluster.lead()
        try cluster.create(makeService("one"))
        try cluster.create(makeService("two"))
        #expect(cluster.record("one") == "0.0.0.0")
        #expect(cluster.record("two") == "0.0.0.0")
        #expect(cluster.writes.allSatisfy { $0.status == nil })
        #expect(cluster.service("one")?.status == nil)
        #expect(cluster.events.allSatisfy { $0.kind == .normal })
    }

    @Test("with writeStatus the allocated address is also written to status.loadBalancer.ingress")
    func writeStatus() throws {
        var cluster = ReconcilerHarness(Self.pools, writeStatus: true)
        try cluster.lead()
        try cluster.create(makeService("web"))
        #expect(cluster.service("web")?.status?.loadBalancer?.ingress == [LoadBalancerIngress(ip: "192.0.2.10")])
    }

    @Test("the namespace's interface setting is recorded on its Services")
    func interfaceRecorded() throws {
        var cluster = ReconcilerHarness(["range-global": "192.0.2.10-192.0.2.12", "interface-global": "eth1"])
        try cluster.lead()
        try cluster.create(makeService("web"))
        #expect(cluster.service("web")?.metadata.annotations?[KubeVipKeys.serviceInterface] == "eth1")
    }

    @Test("an interface setting added later is recorded on Services already allocated, a user's own value kept")
    func interfaceAddedLater() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        try cluster.create(makeService("web"))
        try cluster.create(makeService("own", annotations: [KubeVipKeys.serviceInterface: "bond0"]))
        #expect(cluster.service("web")?.metadata.annotations?[KubeVipKeys.serviceInterface] == nil)
        try cluster.configure(Self.pools.merging(["interface-global": "eth1"]) { $1 })
        #expect(cluster.service("web")?.metadata.annotations?[KubeVipKeys.serviceInterface] == "eth1")
        #expect(cluster.service("own")?.metadata.annotations?[KubeVipKeys.serviceInterface] == "bond0")
    }

    @Test("an unreadable annotation leaves the Service pending with an InvalidAddress Warning")
    func unreadableRecord() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        try cluster.create(makeService("web", record: "lb.example.com"))
        #expect(cluster.writes.isEmpty)
        #expect(cluster.events(reason: "InvalidAddress").only?.message.contains("lb.example.com") == true)
    }

    @Test("removing both the annotation and spec.loadBalancerIP asks for a different address")
    func withdrawnRecord() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        try cluster.create(makeService("web"))
        #expect(cluster.record("web") == "192.0.2.10")
        try cluster.edit("web") {
            $0.metadata.annotations?[KubeVipKeys.loadBalancerIPs] = nil
            $0.spec?.loadBalancerIP = nil
        }
        let record = try #require(cluster.record("web"))
        #expect(["192.0.2.11", "192.0.2.12"].contains(record))
    }

    @Test("removing only the annotation keeps the address: spec.loadBalancerIP still names it")
    func annotationOnlyRemoved() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        try cluster.create(makeService("web"))
        try cluster.edit("web") { $0.metadata.annotations?[KubeVipKeys.loadBalancerIPs] = nil }
        #expect(cluster.record("web") == "192.0.2.10")
    }

    @Test("withdrawing a static request gives the Service an address from the pool")
    func withdrawnStaticRequest() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        try cluster.create(makeService("web", record: "198.51.100.7"))
        try cluster.edit("web") {
            $0.metadata.annotations?[KubeVipKeys.loadBalancerIPs] = nil
            $0.spec?.loadBalancerIP = nil
        }
        #expect(cluster.record("web") == "192.0.2.10")
        #expect(cluster.reconciler.allocator?.holders(of: try address("198.51.100.7")) == [])
    }

    @Test("in class mode only Services of the configured class are served")
    func classMode() throws {
        var cluster = ReconcilerHarness(Self.pools, classSelection: .only("kube-vip.io/kube-vip-class"))
        try cluster.lead()
        try cluster.create(makeService("mine", loadBalancerClass: "kube-vip.io/kube-vip-class"))
        try cluster.create(makeService("plain"))
        try cluster.create(makeService("theirs", loadBalancerClass: "example.com/other"))
        #expect(cluster.record("mine") == "192.0.2.10")
        #expect(cluster.writes(for: "plain").isEmpty)
        #expect(cluster.writes(for: "theirs").isEmpty)
    }

    @Test("by default a Service of another class is not served")
    func otherClassIgnored() throws {
        var cluster = ReconcilerHarness(Self.pools)
        try cluster.lead()
        try cluster.create(makeService("theirs", loadBalancerClass: "example.com/other"))
        #expect(cluster.writes.isEmpty)
        #expect(cluster.events.isEmpty)
    }
}
