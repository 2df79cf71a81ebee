import IPAM
import KubeVipConventions
import KubernetesModels
import NetworkAddresses
import Testing

@testable import CloudProvider

@Suite("What a Service asks of the allocator")
struct ServiceViewTests {
    // MARK: Which Services are ours

    @Test("a LoadBalancer Service without a class is handled by default")
    func unclassifiedLoadBalancer() {
        #expect(ServiceView(makeService("web")).isHandled(by: .unclassified))
    }

    @Test("ClusterIP, NodePort and type-less Services are never handled")
    func otherTypes() {
        for type in ["ClusterIP", "NodePort", "ExternalName", nil] {
            let view = ServiceView(makeService("web", type: type))
            #expect(!view.isHandled(by: .unclassified), "type \(type ?? "absent")")
            #expect(!view.isHandled(by: .only(CloudProviderSettings.defaultClassName)), "type \(type ?? "absent")")
        }
    }

    @Test("a Service with a loadBalancerClass is left to that implementation by default")
    func classedServiceIgnoredByDefault() {
        let view = ServiceView(makeService("web", loadBalancerClass: "example.com/other"))
        #expect(!view.isHandled(by: .unclassified))
    }

    @Test("in class mode only Services of the configured class are handled")
    func classMode() {
        let selection = ClassSelection.only("kube-vip.io/kube-vip-class")
        #expect(ServiceView(makeService("mine", loadBalancerClass: "kube-vip.io/kube-vip-class")).isHandled(by: selection))
        #expect(!ServiceView(makeService("theirs", loadBalancerClass: "example.com/other")).isHandled(by: selection))
        #expect(!ServiceView(makeService("plain")).isHandled(by: selection))
    }

    // MARK: The record

    @Test("the annotation's entries may be padded with spaces")
    func annotationToleratesSpaces() throws {
        let view = ServiceView(makeService("web", record: " 192.0.2.10 ,  2001:db8::10 "))
        #expect(try view.recordedAddresses?.get() == addresses("192.0.2.10", "2001:db8::10"))
    }

    @Test("an annotation entry that is not an address is a problem naming that entry")
    func annotationBadEntry() {
        let view = ServiceView(makeService("web", record: "192.0.2.10,lb.example.com"))
        #expect(
            view.recordedAddresses
                == .failure(
                    RecordProblem(
                        field: KubeVipKeys.loadBalancerIPs, value: "192.0.2.10,lb.example.com", entry: "lb.example.com")))
    }

    @Test("two addresses of one family in the annotation are a problem of the whole list")
    func annotationTwoOfAFamily() {
        let view = ServiceView(makeService("web", record: "192.0.2.10,192.0.2.11"))
        guard case .failure(let problem)? = view.recordedAddresses else {
            Issue.record("expected a problem, got \(String(describing: view.recordedAddresses))")
            return
        }
        #expect(problem.entry == nil)
        #expect(problem.description.contains("at most one IPv4 and one IPv6"))
    }

    @Test("an empty trailing entry makes the annotation unreadable rather than silently shorter")
    func annotationEmptyEntry() {
        let view = ServiceView(makeService("web", record: "192.0.2.10,"))
        guard case .failure(let problem)? = view.recordedAddresses else {
            Issue.record("expected a problem, got \(String(describing: view.recordedAddresses))")
            return
        }
        #expect(problem.entry == "")
    }

    @Test("a blank annotation and a blank spec.loadBalancerIP count as absent")
    func blankFields() {
        let view = ServiceView(makeService("web", record: "  ", loadBalancerIP: ""))
        #expect(view.recordText == nil)
        #expect(view.recordedAddresses == nil)
        #expect(view.legacyAddressText == nil)
        #expect(view.legacyAddress == nil)
    }

    @Test("spec.loadBalancerIP is read as a request of its own")
    func legacyAddress() throws {
        let view = ServiceView(makeService("web", loadBalancerIP: "192.0.2.50"))
        #expect(view.recordedAddresses == nil)
        #expect(try view.legacyAddress?.get() == [address("192.0.2.50")])
    }

    @Test("the implementation label counts only with the value kube-vip; any ipam-address label is legacy")
    func labels() {
        let ours = ServiceView(makeService("a", labels: ["implementation": "kube-vip", "ipam-address": "x"]))
        #expect(ours.hasImplementationLabel)
        #expect(ours.hasLegacyAddressLabel)
        let theirs = ServiceView(makeService("b", labels: ["implementation": "metallb"]))
        #expect(!theirs.hasImplementationLabel)
        #expect(!theirs.hasLegacyAddressLabel)
    }

    // MARK: Ports and families

    @Test("ports keep their protocol, TCP when none is given; unknown protocols are left out")
    func ports() {
        let view = ServiceView(
            makeService(
                "dns",
                ports: [
                    KubernetesModels.ServicePort(port: 53), KubernetesModels.ServicePort(protocol: "UDP", port: 53),
                    KubernetesModels.ServicePort(protocol: "SCTP", port: 9999),
                    KubernetesModels.ServicePort(protocol: "QUIC", port: 443),
                ]))
        #expect(view.ports == [IPAM.ServicePort(.tcp, 53), IPAM.ServicePort(.udp, 53), IPAM.ServicePort(.sctp, 9999)])
    }

    @Test("families and the family policy come from the spec, primary first")
    func families() {
        let view = ServiceView(makeService("web", ipFamilies: ["IPv6", "IPv4"], ipFamilyPolicy: "PreferDualStack"))
        #expect(view.familyPolicy == .preferDualStack)
        #expect(view.families == [.ipv6, .ipv4])
    }

    @Test("a Service without a family policy is single-stack and lets the pool choose the family")
    func defaultFamilies() {
        let view = ServiceView(makeService("web"))
        #expect(view.familyPolicy == .singleStack)
        #expect(view.families.isEmpty)
    }

    @Test("status ingress addresses and a deletion in progress are seen")
    func statusAndDeletion() {
        let view = ServiceView(makeService("web", ingress: ["192.0.2.10"], deleting: true))
        #expect(view.ingressAddresses == ["192.0.2.10"])
        #expect(view.isDeleting)
    }
}
