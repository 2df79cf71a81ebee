import IPAM
import KubeVipConventions
import KubernetesModels
import Testing

@testable import NodeAgent

private typealias F = AgentFixtures

@Suite("Which Services the node agent serves, and at which addresses")
struct ServiceIntentTests {
    private let settings = AgentSettings(nodeName: "node1")

    private func intent(_ service: KubernetesService, settings: AgentSettings? = nil) -> ServiceIntent? {
        try? ServiceIntent.read(service, settings: settings ?? self.settings).get()
    }

    @Test func theAnnotationComesFirst() {
        let service = F.service("a", addresses: "198.51.100.100, 2001:db8::100", loadBalancerIP: "198.51.100.7", ingress: ["198.51.100.8"])
        #expect(intent(service)?.addresses == [F.ip("198.51.100.100"), F.ip("2001:db8::100")])
    }

    @Test func thenTheStatusWithTheSpecWinningWithinAFamily() {
        #expect(intent(F.service("a", ingress: ["198.51.100.8"]))?.addresses == [F.ip("198.51.100.8")])
        #expect(intent(F.service("a", loadBalancerIP: "198.51.100.7", ingress: ["198.51.100.8"]))?.addresses == [F.ip("198.51.100.7")])
    }

    @Test func thenSpecLoadBalancerIP() {
        #expect(intent(F.service("a", loadBalancerIP: "198.51.100.7"))?.addresses == [F.ip("198.51.100.7")])
    }

    @Test func onlyLoadBalancerServicesNotIgnored() {
        #expect(intent(F.service("a", addresses: "198.51.100.1", type: "ClusterIP")) == nil)
        #expect(intent(F.service("a", addresses: "198.51.100.1", annotations: ["kube-vip.io/ignore": "true"])) == nil)
    }

    @Test func classFilterAsUpstream() {
        let classless = F.service("a", addresses: "198.51.100.1")
        let ours = F.service("b", addresses: "198.51.100.1", loadBalancerClass: "kube-vip.io/kube-vip-class")
        let theirs = F.service("c", addresses: "198.51.100.1", loadBalancerClass: "metallb")
        #expect(intent(classless) != nil)
        #expect(intent(ours) != nil)
        #expect(intent(theirs) == nil)
        var classOnly = settings
        classOnly.classOnly = true
        #expect(intent(classless, settings: classOnly) == nil)
        #expect(intent(ours, settings: classOnly) != nil)
        var strict = settings
        strict.classLegacyHandling = false
        strict.className = ""
        #expect(intent(classless, settings: strict) != nil)
        #expect(intent(ours, settings: strict) == nil)
    }

    @Test func aLeaseNameWithoutNamespaceIsInTheServicesNamespace() {
        let service = F.service("a", namespace: "shop", addresses: "198.51.100.1", annotations: ["kube-vip.io/leaseName": "shared"])
        #expect(intent(service)?.lease == LeaseName(namespace: "shop", name: "shared"))
        #expect(intent(F.service("a", namespace: "shop", addresses: "198.51.100.1"))?.lease == LeaseName(namespace: "shop", name: "kubevip-a"))
    }

    @Test func theServiceInterfaceAnnotationPicksTheLink() {
        #expect(intent(F.service("a", addresses: "198.51.100.1", annotations: ["kube-vip.io/serviceInterface": "eth1"]))?.interface == .named("eth1"))
        #expect(intent(F.service("a", addresses: "198.51.100.1", annotations: ["kube-vip.io/serviceInterface": "auto"]))?.interface == .auto)
    }
}

@Suite("EndpointSlices reduced to what the agent decides on")
struct EndpointIndexTests {
    @Test func slicesOfOneServiceAreSummedNotOverwritten() {
        var index = EndpointIndex(nodeName: "node1")
        index.update(F.slice(for: "web", name: "web-1", node: "node1"))
        index.update(F.slice(for: "web", name: "web-2", node: "node2"))
        index.update(F.slice(for: "web", name: "web-2", node: "node2", ready: false))
        let summary = index.summary(for: ServiceKey(namespace: "default", name: "web"))
        #expect(summary.serving && summary.servingHere)
        index.delete(F.slice(for: "web", name: "web-1"))
        #expect(index.summary(for: ServiceKey(namespace: "default", name: "web")) == EndpointIndex.Summary())
    }
}
