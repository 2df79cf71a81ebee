import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("YAML request bodies")
struct HTTPYAMLTests {
    @Test("plain scalars take their YAML types; quoted ones stay strings")
    func scalarTypes() throws {
        let value = try YAMLDocument.parse(
            """
            apiVersion: v1
            kind: Service
            metadata:
              annotations:
                "kube-vip.io/loadbalancerIPs": "1.1.1.1"
              name: nginx
            spec:
              ports:
              - name: http
                port: 80
                protocol: TCP
              allocateLoadBalancerNodePorts: true
              externalName: "80"
              weight: 1.5
              selector: null
            """)
        #expect(value[path: "metadata", "annotations"] == ["kube-vip.io/loadbalancerIPs": "1.1.1.1"])
        #expect(value[path: "spec", "ports"] == [["name": "http", "port": 80, "protocol": "TCP"]])
        #expect(value[path: "spec", "allocateLoadBalancerNodePorts"] == true)
        #expect(value[path: "spec", "externalName"] == "80")
        #expect(value[path: "spec", "weight"] == 1.5)
        #expect(value[path: "spec", "selector"] == .null)
    }

    @Test("malformed YAML is a decoding error with the parser's explanation")
    func malformed() {
        #expect(throws: YAMLDocument.DecodingError.self) { try YAMLDocument.parse("a: [1, 2\nb: c") }
    }
}
