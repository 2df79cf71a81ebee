import KubernetesModels
import KubernetesProtobuf
import Testing

@Suite("Service from protobuf")
struct ServiceDecodingTests {
    @Test("the spec fields a LoadBalancer controller reads")
    func loadBalancerSpec() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "Service") { raw in
            raw.message(1) {
                $0.string(1, "web")
                $0.string(3, "default")
            }
            raw.message(2) { spec in
                spec.message(1) {
                    $0.string(1, "http")
                    $0.string(2, "TCP")
                    $0.varint(3, 80)
                    $0.message(4) {
                        $0.varint(1, 1)
                        $0.string(3, "web")
                    }
                    $0.varint(5, 30002)
                }
                spec.mapEntry(2, "app", "web")
                spec.string(3, "10.96.0.4")
                spec.string(4, "LoadBalancer")
                spec.string(5, "198.51.100.7")
                spec.string(8, "198.51.100.100")
                spec.string(11, "Local")
                spec.varint(12, 32000)
                spec.string(17, "PreferDualStack")
                spec.string(18, "10.96.0.4")
                spec.string(18, "fd00::4")
                spec.string(19, "IPv4")
                spec.string(19, "IPv6")
                spec.bool(20, false)
                spec.string(21, "kube-vip.io/kube-vip-class")
            }
        }
        let object = try KubernetesProtobuf.decodeObject(body)
        #expect(
            object["spec"] == [
                "ports": [["name": "http", "protocol": "TCP", "port": 80, "targetPort": "web", "nodePort": 30002]],
                "selector": ["app": "web"], "clusterIP": "10.96.0.4", "clusterIPs": ["10.96.0.4", "fd00::4"],
                "type": "LoadBalancer", "externalIPs": ["198.51.100.7"], "loadBalancerIP": "198.51.100.100",
                "externalTrafficPolicy": "Local", "healthCheckNodePort": 32000, "ipFamilyPolicy": "PreferDualStack",
                "ipFamilies": ["IPv4", "IPv6"], "allocateLoadBalancerNodePorts": false,
                "loadBalancerClass": "kube-vip.io/kube-vip-class",
            ])
    }

    @Test("status.loadBalancer.ingress with IP, mode and port status")
    func loadBalancerStatus() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "Service") { raw in
            raw.message(3) { status in
                status.message(1) { lb in
                    lb.message(1) {
                        $0.string(1, "198.51.100.100")
                        $0.string(3, "VIP")
                        $0.message(4) {
                            $0.varint(1, 80)
                            $0.string(2, "TCP")
                        }
                    }
                    lb.message(1) { $0.string(2, "lb.example.com") }
                }
            }
        }
        let object = try KubernetesProtobuf.decodeObject(body)
        #expect(
            object[path: "status", "loadBalancer", "ingress"] == [
                ["ip": "198.51.100.100", "ipMode": "VIP", "ports": [["port": 80, "protocol": "TCP"]]],
                ["hostname": "lb.example.com"],
            ])
    }

    @Test("an IntOrString with an impossible type is rejected")
    func impossibleIntOrString() {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "Service") { raw in
            raw.message(2) { spec in spec.message(1) { $0.message(4) { $0.varint(1, 7) } } }
        }
        #expect(throws: ProtobufDecodingError("IntOrString has impossible type 7")) {
            try KubernetesProtobuf.decodeObject(body)
        }
    }
}
