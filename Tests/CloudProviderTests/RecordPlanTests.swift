import IPAM
import KubeVipConventions
import KubernetesModels
import NetworkAddresses
import Testing

@testable import CloudProvider

@Suite("The writes that record an allocation on a Service")
struct RecordPlanTests {
    static let key = ServiceKey(namespace: "default", name: "web")

    func assignment(_ texts: String..., origin: Assignment.Origin = .pool) throws -> Assignment {
        Assignment(
            service: Self.key, addresses: try texts.map { try address($0) }, origin: origin,
            ports: [IPAM.ServicePort(.tcp, 80)])
    }

    // MARK: Recording

    @Test("a first record writes the annotation, the implementation label and spec.loadBalancerIP")
    func firstRecord() throws {
        let view = ServiceView(makeService("web", version: 7))
        let write = try #require(
            RecordPlan.record(view, assignment: try assignment("192.0.2.10"), interface: nil, writeStatus: false))
        #expect(
            write.patch == [
                "metadata": [
                    "annotations": ["kube-vip.io/loadbalancerIPs": "192.0.2.10"],
                    "labels": ["implementation": "kube-vip"],
                    "resourceVersion": "7",
                ],
                "spec": ["loadBalancerIP": "192.0.2.10"],
            ])
        #expect(write.status == nil)
    }

    @Test("a dual-stack record keeps the primary family first and puts only it in spec.loadBalancerIP")
    func dualStackRecord() throws {
        let view = ServiceView(makeService("web"))
        let write = try #require(
            RecordPlan.record(
                view, assignment: try assignment("2001:db8::10", "192.0.2.10"), interface: nil, writeStatus: false))
        #expect(write.patch?[path: "metadata", "annotations", KubeVipKeys.loadBalancerIPs] == "2001:db8::10,192.0.2.10")
        #expect(write.patch?[path: "spec", "loadBalancerIP"] == "2001:db8::10")
    }

    @Test("the pool's interface is written for the node agent when the Service names none")
    func interfaceWhenAbsent() throws {
        let view = ServiceView(makeService("web"))
        let write = try #require(
            RecordPlan.record(view, assignment: try assignment("192.0.2.10"), interface: "eth1", writeStatus: false))
        #expect(write.patch?[path: "metadata", "annotations", KubeVipKeys.serviceInterface] == "eth1")
    }

    @Test("an interface the Service already names is left alone")
    func interfaceKept() throws {
        let view = ServiceView(makeService("web", annotations: [KubeVipKeys.serviceInterface: "bond0"]))
        let write = try #require(
            RecordPlan.record(view, assignment: try assignment("192.0.2.10"), interface: "eth1", writeStatus: false))
        #expect(write.patch?[path: "metadata", "annotations", KubeVipKeys.serviceInterface] == nil)
    }

    @Test("the legacy ipam-address label is removed")
    func legacyLabelRemoved() throws {
        let view = ServiceView(
            makeService(
                "web", record: "192.0.2.10", loadBalancerIP: "192.0.2.10",
                labels: ["implementation": "kube-vip", "ipam-address": "192.0.2.10"]))
        let write = try #require(
            RecordPlan.record(view, assignment: try assignment("192.0.2.10"), interface: nil, writeStatus: false))
        #expect(write.patch == ["metadata": ["labels": ["ipam-address": nil]]])
    }

    @Test("a write that only adds the label does not carry a resourceVersion guard")
    func labelOnlyUnguarded() throws {
        let view = ServiceView(makeService("web", version: 9, record: "192.0.2.10", loadBalancerIP: "192.0.2.10"))
        let write = try #require(
            RecordPlan.record(view, assignment: try assignment("192.0.2.10"), interface: nil, writeStatus: false))
        #expect(write.patch == ["metadata": ["labels": ["implementation": "kube-vip"]]])
        #expect(!write.isGuarded)
    }

    @Test("a write that changes the record is guarded by the Service's resourceVersion")
    func changedRecordGuarded() throws {
        let view = ServiceView(
            makeService(
                "web", version: 12, record: "192.0.2.10", loadBalancerIP: "192.0.2.10",
                labels: ["implementation": "kube-vip"]))
        let write = try #require(
            RecordPlan.record(view, assignment: try assignment("192.0.2.11"), interface: nil, writeStatus: false))
        #expect(write.isGuarded)
        #expect(write.patch?[path: "metadata", "resourceVersion"] == "12")
    }

    @Test("nothing is written for a Service that already shows its record")
    func alreadyRecorded() throws {
        let view = ServiceView(
            makeService(
                "web", record: "192.0.2.10", loadBalancerIP: "192.0.2.10", labels: ["implementation": "kube-vip"],
                annotations: [KubeVipKeys.serviceInterface: "eth1"]))
        #expect(
            RecordPlan.record(view, assignment: try assignment("192.0.2.10"), interface: "eth1", writeStatus: false)
                == nil)
    }

    @Test("a record written with spaces is not rewritten")
    func spacedRecordKept() throws {
        let view = ServiceView(
            makeService(
                "web", record: "2001:db8::10, 192.0.2.10", loadBalancerIP: "2001:db8::10",
                labels: ["implementation": "kube-vip"]))
        #expect(
            RecordPlan.record(
                view, assignment: try assignment("2001:db8::10", "192.0.2.10"), interface: nil, writeStatus: false)
                == nil)
    }

    // MARK: Status

    @Test("status.loadBalancer.ingress is written only with writeStatus")
    func statusOnlyWhenAsked() throws {
        let view = ServiceView(makeService("web"))
        let without = try #require(
            RecordPlan.record(view, assignment: try assignment("192.0.2.10"), interface: nil, writeStatus: false))
        #expect(without.status == nil)
        let with = try #require(
            RecordPlan.record(view, assignment: try assignment("192.0.2.10"), interface: nil, writeStatus: true))
        #expect(with.status == LoadBalancerStatus(ingress: [LoadBalancerIngress(ip: "192.0.2.10")]))
    }

    @Test("status is never written for the DHCP placeholder 0.0.0.0")
    func noStatusForDHCP() throws {
        let view = ServiceView(makeService("web"))
        let write = try #require(
            RecordPlan.record(
                view, assignment: try assignment("0.0.0.0", origin: .dhcp), interface: nil, writeStatus: true))
        #expect(write.status == nil)
        #expect(write.patch?[path: "metadata", "annotations", KubeVipKeys.loadBalancerIPs] == "0.0.0.0")
    }

    @Test("a status that already lists the addresses is not rewritten")
    func statusAlreadyShown() throws {
        let view = ServiceView(
            makeService(
                "web", record: "192.0.2.10", loadBalancerIP: "192.0.2.10", labels: ["implementation": "kube-vip"],
                ingress: ["192.0.2.10"]))
        #expect(
            RecordPlan.record(view, assignment: try assignment("192.0.2.10"), interface: nil, writeStatus: true) == nil)
    }

    // MARK: Removal

    @Test("removal takes off the annotation, the label and the spec.loadBalancerIP the allocator wrote")
    func removalOfPoolAddress() throws {
        let view = ServiceView(
            makeService(
                "web", type: "ClusterIP", record: "192.0.2.10", loadBalancerIP: "192.0.2.10",
                labels: ["implementation": "kube-vip"]))
        let write = try #require(RecordPlan.removal(view, clearLegacyAddress: true, writeStatus: false))
        #expect(
            write.patch == [
                "metadata": ["annotations": ["kube-vip.io/loadbalancerIPs": nil], "labels": ["implementation": nil]],
                "spec": ["loadBalancerIP": nil],
            ])
        #expect(!write.isGuarded)
        #expect(write.status == nil)
    }

    @Test("removal leaves a user's own spec.loadBalancerIP in place")
    func removalKeepsUserRequest() throws {
        let view = ServiceView(
            makeService(
                "web", type: "ClusterIP", record: "198.51.100.7", loadBalancerIP: "198.51.100.7",
                labels: ["implementation": "kube-vip"]))
        let write = try #require(RecordPlan.removal(view, clearLegacyAddress: false, writeStatus: false))
        #expect(write.patch?["spec"] == nil)
    }

    @Test("removal empties the ingress it wrote when writing status")
    func removalClearsStatus() throws {
        let view = ServiceView(
            makeService(
                "web", type: "ClusterIP", record: "192.0.2.10", labels: ["implementation": "kube-vip"],
                ingress: ["192.0.2.10"]))
        let write = try #require(RecordPlan.removal(view, clearLegacyAddress: true, writeStatus: true))
        #expect(write.status == LoadBalancerStatus(ingress: []))
    }

    @Test("removal writes nothing when the Service carries none of the marks")
    func removalNothing() {
        let view = ServiceView(makeService("web", type: "ClusterIP"))
        #expect(RecordPlan.removal(view, clearLegacyAddress: true, writeStatus: true) == nil)
    }
}
