import KubernetesModels
import KubernetesProtobuf
import Testing

/// What the real kubectl 1.32 sends for `kubectl create …`, decoded into the object kube-apiserver would
/// store (before defaulting).
@Suite("Decoding protobuf bodies sent by kubectl 1.32")
struct KubectlFixtureDecodingTests {
    @Test("create configmap: name, namespace and data, no empty metadata fields")
    func configMap() throws {
        let object = try KubernetesProtobuf.decodeObject(KubectlFixtures.configMapKubeVip)
        #expect(
            object == [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": "kubevip", "namespace": "kube-system"],
                "data": ["cidr-global": "192.168.0.220/29", "range-development": "192.168.0.210-192.168.0.219"],
            ])
    }

    @Test("create configmap --from-file with non-UTF-8 content: binaryData in base64")
    func configMapBinaryData() throws {
        let object = try KubernetesProtobuf.decodeObject(KubectlFixtures.configMapWithBinaryData)
        #expect(object["data"] == ["greeting": "hello"])
        #expect(object["binaryData"] == ["blob": "YmluAP/+AWRhdGE="])
    }

    @Test("create configmap --save-config: the last-applied annotation survives byte for byte")
    func configMapAnnotation() throws {
        let object = try KubernetesProtobuf.decodeObject(KubectlFixtures.configMapSavedConfig)
        let applied =
            #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"saved","namespace":"default","#
            + #""creationTimestamp":null},"data":{"a":"b"}}"# + "\n"
        #expect(object.metadataAnnotations == ["kubectl.kubernetes.io/last-applied-configuration": applied])
        #expect(object["data"] == ["a": "b"])
    }

    @Test("create namespace: empty spec and status objects, as Go writes non-pointer structs")
    func namespace() throws {
        let object = try KubernetesProtobuf.decodeObject(KubectlFixtures.namespaceDev)
        #expect(
            object == [
                "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "dev"], "spec": [:], "status": [:],
            ])
    }

    @Test("create secret generic --type: data in base64 and the type")
    func secret() throws {
        let object = try KubernetesProtobuf.decodeObject(KubectlFixtures.secretBasicAuth)
        #expect(
            object == [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds", "namespace": "default"],
                "data": ["password": "czNjcjN0IQ==", "user": "YWRtaW4="], "type": "kubernetes.io/basic-auth",
            ])
    }

    @Test("create service loadbalancer: ports with numeric and named target ports, selector, type")
    func serviceLoadBalancer() throws {
        let object = try KubernetesProtobuf.decodeObject(KubectlFixtures.serviceLoadBalancer)
        #expect(
            object == [
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["name": "web", "namespace": "default", "labels": ["app": "web"]],
                "spec": [
                    "ports": [
                        ["name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080],
                        ["name": "443-https", "protocol": "TCP", "port": 443, "targetPort": "https"],
                    ],
                    "selector": ["app": "web"], "type": "LoadBalancer",
                ],
                "status": ["loadBalancer": [:]],
            ])
    }

    @Test("create service nodeport --node-port: the node port is kept")
    func serviceNodePort() throws {
        let object = try KubernetesProtobuf.decodeObject(KubectlFixtures.serviceNodePort)
        #expect(
            object[path: "spec", "ports"] == [
                ["name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080, "nodePort": 30080]
            ])
        #expect(object[path: "spec", "type"] == "NodePort")
    }

    @Test("create service clusterip --clusterip=None: a headless service without ports")
    func serviceHeadless() throws {
        let object = try KubernetesProtobuf.decodeObject(KubectlFixtures.serviceHeadless)
        #expect(object["spec"] == ["clusterIP": "None", "type": "ClusterIP", "selector": ["app": "headless"]])
    }

    @Test("create deployment: replicas, selector, template with a container's command and port")
    func deployment() throws {
        let object = try KubernetesProtobuf.decodeObject(KubectlFixtures.deploymentWeb)
        #expect(
            object == [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": "web", "namespace": "default", "labels": ["app": "web"]],
                "spec": [
                    "replicas": 2,
                    "selector": ["matchLabels": ["app": "web"]],
                    "template": [
                        "metadata": ["labels": ["app": "web"]],
                        "spec": [
                            "containers": [
                                [
                                    "name": "nginx", "image": "nginx:1.27",
                                    "command": ["nginx", "-g", "daemon off;"],
                                    "ports": [["containerPort": 80]], "resources": [:],
                                ]
                            ]
                        ],
                    ],
                    "strategy": [:],
                ],
                "status": [:],
            ])
    }

    @Test("create deployment with two images: two containers in order")
    func deploymentTwoContainers() throws {
        let object = try KubernetesProtobuf.decodeObject(KubectlFixtures.deploymentTwoContainers)
        #expect(
            object[path: "spec", "template", "spec", "containers"] == [
                ["name": "nginx", "image": "nginx", "resources": [:]],
                ["name": "busybox", "image": "busybox", "resources": [:]],
            ])
        #expect(object[path: "spec", "replicas"] == 1)
    }
}
