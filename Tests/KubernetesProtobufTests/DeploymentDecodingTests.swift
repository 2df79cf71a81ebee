import KubernetesModels
import KubernetesProtobuf
import Testing

@Suite("Deployment from protobuf")
struct DeploymentDecodingTests {
    @Test("selector expressions, env, args, resources and a rolling update strategy")
    func fullSpec() throws {
        let body = ProtoWriter.envelope(apiVersion: "apps/v1", kind: "Deployment") { raw in
            raw.message(1) { $0.string(1, "web") }
            raw.message(2) { spec in
                spec.varint(1, 0)
                spec.message(2) { selector in
                    selector.mapEntry(1, "app", "web")
                    selector.message(2) {
                        $0.string(1, "tier")
                        $0.string(2, "In")
                        $0.string(3, "front")
                        $0.string(3, "edge")
                    }
                }
                spec.message(3) { template in
                    template.message(1) { $0.mapEntry(11, "app", "web") }
                    template.message(2) { pod in
                        pod.message(2) { container in
                            container.string(1, "app")
                            container.string(2, "example/app:1")
                            container.string(4, "--verbose")
                            container.message(6) {
                                $0.string(1, "http")
                                $0.varint(3, 8080)
                                $0.string(4, "TCP")
                            }
                            container.message(7) {
                                $0.string(1, "MODE")
                                $0.string(2, "fast")
                            }
                            container.message(7) { $0.string(1, "EMPTY") }
                            container.message(8) { resources in
                                resources.message(1) {
                                    $0.string(1, "cpu")
                                    $0.message(2) { $0.string(1, "500m") }
                                }
                            }
                        }
                    }
                }
                spec.message(4) { strategy in
                    strategy.string(1, "RollingUpdate")
                    strategy.message(2) {
                        $0.message(1) { $0.varint(2, 1) }
                        $0.message(2) {
                            $0.varint(1, 1)
                            $0.string(3, "25%")
                        }
                    }
                }
            }
        }
        let spec = try #require(try KubernetesProtobuf.decodeObject(body)["spec"])
        #expect(spec["replicas"] == 0, "a pointer field keeps an explicit zero")
        #expect(
            spec["selector"] == [
                "matchLabels": ["app": "web"],
                "matchExpressions": [["key": "tier", "operator": "In", "values": ["front", "edge"]]],
            ])
        #expect(
            spec[path: "template", "spec", "containers"] == [
                [
                    "name": "app", "image": "example/app:1", "args": ["--verbose"],
                    "ports": [["name": "http", "containerPort": 8080, "protocol": "TCP"]],
                    "env": [["name": "MODE", "value": "fast"], ["name": "EMPTY"]],
                    "resources": ["limits": ["cpu": "500m"]],
                ]
            ])
        #expect(
            spec["strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": "25%"]])
    }
}
