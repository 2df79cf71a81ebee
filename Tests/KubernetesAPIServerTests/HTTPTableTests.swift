import Foundation
import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Tables for kubectl get")
struct HTTPTableTests {
    static let ageExamples: [(seconds: Double, text: String)] = [
        (0, "0s"), (45, "45s"), (119, "119s"), (150, "2m30s"), (300, "5m"), (3600, "60m"),
        (3 * 3600, "3h"), (5 * 3600 + 600, "5h10m"), (30 * 3600, "30h"), (2 * 86400, "2d"),
        (3 * 86400 + 3600, "3d1h"), (40 * 86400, "40d"), (3 * 365 * 86400, "3y"), (-1.5, "0s"), (-5, "<invalid>"),
    ]

    @Test("ages read like kubectl's", arguments: ageExamples)
    func ages(example: (seconds: Double, text: String)) {
        #expect(HumanAge.format(seconds: example.seconds) == example.text)
    }

    static let created = "2025-01-01T00:00:00Z"
    static let now = Date(timeIntervalSince1970: 1_735_689_600 + 2)  // two seconds after `created`

    static func service(type: String, ingress: String? = nil) -> JSONValue {
        var service: JSONValue = [
            "kind": "Service", "apiVersion": "v1",
            "metadata": ["name": "nginx", "namespace": "default", "creationTimestamp": .string(created)],
            "spec": [
                "type": .string(type), "clusterIP": "10.96.0.4",
                "ports": [["port": 80, "protocol": "TCP", "nodePort": 30002], ["port": 443, "protocol": "TCP"]],
            ],
        ]
        if let ingress { service[path: "status", "loadBalancer", "ingress"] = [["ip": .string(ingress)]] }
        return service
    }

    @Test("a LoadBalancer Service without ingress shows <pending> and its node ports")
    func pendingService() {
        let table = ResourceTable(resource: "services", group: "", now: Self.now)
        let cells = table.row(for: Self.service(type: "LoadBalancer"))["cells"]
        #expect(cells == ["nginx", "LoadBalancer", "10.96.0.4", "<pending>", "80:30002/TCP,443/TCP", "2s", "<none>"])
    }

    @Test("a LoadBalancer Service with ingress shows the address")
    func assignedService() {
        let table = ResourceTable(resource: "services", group: "", now: Self.now)
        let cells = table.row(for: Self.service(type: "LoadBalancer", ingress: "198.51.100.100"))["cells"]
        #expect(cells?.arrayValue?[3] == "198.51.100.100")
    }

    @Test("a ClusterIP Service shows <none> as external IP")
    func clusterIPService() {
        #expect(ServiceCells.externalIP(Self.service(type: "ClusterIP")) == "<none>")
    }

    @Test("the table carries column definitions, the list's resourceVersion and partial metadata per row")
    func tableShape() {
        let table = ResourceTable(resource: "services", group: "", now: Self.now)
            .table(for: [Self.service(type: "NodePort")], resourceVersion: "7", continueToken: "next")
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table[path: "metadata", "resourceVersion"] == "7")
        #expect(table[path: "metadata", "continue"] == "next")
        let names = table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"])
        let object = table["rows"]?.arrayValue?.first?["object"]
        #expect(object?["kind"] == "PartialObjectMetadata")
        #expect(object?[path: "metadata", "name"] == "nginx")
    }

    @Test("ConfigMaps count their data entries; Leases show their holder; Deployments their readiness")
    func otherKinds() {
        let configMap: JSONValue = ["metadata": ["name": "kubevip"], "data": ["cidr-global": "192.168.0.220/29"]]
        #expect(ResourceTable(resource: "configmaps", group: "").row(for: configMap)["cells"]?.arrayValue?[1] == 1)
        let lease: JSONValue = ["metadata": ["name": "plndr-svcs-lock"], "spec": ["holderIdentity": "node1"]]
        #expect(
            ResourceTable(resource: "leases", group: "coordination.k8s.io").row(for: lease)["cells"]?.arrayValue?[1]
                == "node1")
        let deployment: JSONValue = ["metadata": ["name": "nginx"], "spec": ["replicas": 2], "status": ["readyReplicas": 1]]
        #expect(
            ResourceTable(resource: "deployments", group: "apps").row(for: deployment)["cells"]?.arrayValue?[1]
                == "1/2")
    }
}
