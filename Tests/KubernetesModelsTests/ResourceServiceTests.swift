import Foundation
import KubernetesModels
import Testing

@Suite("Service model")
struct ResourceServiceTests {
    static let json = """
        {
          "apiVersion": "v1", "kind": "Service",
          "metadata": {
            "name": "web", "namespace": "default", "uid": "5c7e2a5e-1b1f-4a34-9f0e-2b7f1f0c0a11",
            "resourceVersion": "48213", "creationTimestamp": "2024-05-01T12:00:00Z",
            "labels": {"app": "web", "implementation": "kube-vip"},
            "annotations": {"kube-vip.io/loadbalancerIPs": "192.0.2.10"},
            "managedFields": [{"manager": "kubectl-expose", "operation": "Update"}]
          },
          "spec": {
            "type": "LoadBalancer",
            "ports": [
              {"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080, "nodePort": 30080},
              {"name": "https", "protocol": "TCP", "port": 443, "targetPort": "https", "nodePort": 30443}
            ],
            "selector": {"app": "web"},
            "clusterIP": "10.96.0.4", "clusterIPs": ["10.96.0.4"],
            "loadBalancerIP": "192.0.2.10", "loadBalancerClass": "kube-vip.io/kube-vip-class",
            "externalTrafficPolicy": "Local", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
            "sessionAffinity": "None", "internalTrafficPolicy": "Cluster", "allocateLoadBalancerNodePorts": true
          },
          "status": {
            "loadBalancer": {
              "ingress": [{"ip": "192.0.2.10", "ipMode": "VIP", "ports": [{"port": 80, "protocol": "TCP"}]}]
            }
          }
        }
        """

    @Test("a Service as kube-apiserver sends it decodes, ignoring fields we do not model")
    func decodes() throws {
        let service = try JSONDecoder().decode(KubernetesService.self, from: Data(Self.json.utf8))
        #expect(service.metadata.name == "web")
        #expect(service.metadata.annotations?["kube-vip.io/loadbalancerIPs"] == "192.0.2.10")
        #expect(service.spec?.type == "LoadBalancer")
        #expect(service.spec?.ports?.map(\.targetPort) == [.int(8080), .string("https")])
        #expect(service.spec?.ports?.first?.nodePort == 30080)
        #expect(service.spec?.externalTrafficPolicy == "Local")
        #expect(service.spec?.loadBalancerClass == "kube-vip.io/kube-vip-class")
        #expect(service.status?.loadBalancer?.ingress?.first?.ip == "192.0.2.10")
        #expect(service.status?.loadBalancer?.ingress?.first?.ports == [PortStatus(port: 80, protocol: "TCP")])
        #expect(service.metadataResourceVersion == "48213")
    }

    @Test("encoding and decoding again gives the same Service")
    func roundTrip() throws {
        let service = try JSONDecoder().decode(KubernetesService.self, from: Data(Self.json.utf8))
        let again = try JSONDecoder().decode(KubernetesService.self, from: JSONEncoder().encode(service))
        #expect(again == service)
    }

    @Test("targetPort keeps its form: a number stays a number, a name a string")
    func intOrStringForm() throws {
        let encoded = try JSONValue(encoding: [ServicePort(port: 80, targetPort: 8080), ServicePort(port: 443, targetPort: "https")])
        #expect(encoded.arrayValue?.map { $0["targetPort"] } == [.int(8080), .string("https")])
    }

    @Test("a new Service encodes apiVersion and kind and omits what is unset")
    func minimalEncoding() throws {
        let service = KubernetesService(
            metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: ServiceSpec(type: "LoadBalancer", ports: [ServicePort(port: 80)]))
        let encoded = try JSONValue(encoding: service)
        #expect(encoded["apiVersion"] == "v1")
        #expect(encoded["kind"] == "Service")
        #expect(encoded["status"] == nil)
        #expect(encoded[path: "spec", "ports"] == [["port": 80]])
    }
}
