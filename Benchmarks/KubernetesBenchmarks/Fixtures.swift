import Foundation
import KubernetesModels

/// The documents every benchmark works on, shaped like what a cluster with thousands of LoadBalancer
/// Services actually sends: a kubectl-applied Service (so it carries the last-applied annotation), two
/// ports, a selector, server-filled fields and an ingress address.
enum Fixtures {
    /// The JSON text of Service number `index` as the API server returns it (~1.5 KB).
    static func serviceText(_ index: Int) -> String {
        let name = "web-\(index)"
        let namespace = "team-\(index % 10)"
        let vip = "10.\(100 + index / 65_536).\((index / 256) % 256).\(index % 256)"
        let clusterIP = "10.96.\((index / 256) % 256).\(index % 256)"
        // What kubectl writes into the annotation: the applied manifest, escaped as a JSON string.
        let lastApplied =
            #"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{\"kube-vip.io/loadbalancerIPs\":\"\#(vip)\"},"#
            + #"\"labels\":{\"app.kubernetes.io/name\":\"web\",\"app.kubernetes.io/part-of\":\"shop\"},\"name\":\"\#(name)\",\"namespace\":\"\#(namespace)\"},"#
            + #"\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080},{\"name\":\"https\",\"port\":443,\"targetPort\":8443}],"#
            + #"\"selector\":{\"app.kubernetes.io/name\":\"web\"},\"type\":\"LoadBalancer\"}}\n"#
        return """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"\(name)","namespace":"\(namespace)",\
            "uid":"6f1c2a7e-3b5d-4c8e-9a01-\(String(format: "%012d", index))",\
            "resourceVersion":"\(100_000 + index)","creationTimestamp":"2025-03-14T09:26:53Z",\
            "labels":{"app.kubernetes.io/name":"web","app.kubernetes.io/part-of":"shop",\
            "app.kubernetes.io/managed-by":"kubectl","environment":"production"},\
            "annotations":{"kube-vip.io/loadbalancerIPs":"\(vip)","kube-vip.io/vipHost":"node-\(index % 3)",\
            "kube-vip.io/request-ip-address":"\(vip)","kubectl.kubernetes.io/last-applied-configuration":"\(lastApplied)"}},\
            "spec":{"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080},\
            {"name":"https","protocol":"TCP","port":443,"targetPort":8443}],\
            "selector":{"app.kubernetes.io/name":"web"},"clusterIP":"\(clusterIP)","clusterIPs":["\(clusterIP)"],\
            "type":"LoadBalancer","sessionAffinity":"None","externalTrafficPolicy":"Cluster",\
            "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","allocateLoadBalancerNodePorts":false,\
            "internalTrafficPolicy":"Cluster"},\
            "status":{"loadBalancer":{"ingress":[{"ip":"\(vip)","ipMode":"VIP"}]}}}
            """
    }

    static let service = Data(serviceText(7).utf8)

    /// A ServiceList of about 1 MB, as one `GET /api/v1/services` page returns it.
    static let serviceList: Data = {
        var text = #"{"apiVersion":"v1","kind":"ServiceList","metadata":{"resourceVersion":"123456"},"items":["#
        var index = 0
        while text.utf8.count < 1_000_000 {
            if index > 0 { text += "," }
            text += serviceText(index)
            index += 1
        }
        text += "]}"
        return Data(text.utf8)
    }()

    /// One line of `GET /api/v1/services?watch=1`, newline included.
    static func watchLine(_ index: Int, type: String = "MODIFIED") -> String {
        #"{"type":"\#(type)","object":"# + serviceText(index) + "}\n"
    }

    /// What a client sends to create LoadBalancer Service `index`: no server-filled fields, no node ports
    /// (10,000 LoadBalancers with node ports cannot exist: the range has 2,768).
    static func newService(_ index: Int, namespaceCount: Int) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": [
                "name": .string("web-\(index)"), "namespace": .string("team-\(index % namespaceCount)"),
                "labels": ["app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "shop"],
                "annotations": ["kube-vip.io/loadbalancerIPs": .string("10.100.\((index / 256) % 256).\(index % 256)")],
            ],
            "spec": [
                "type": "LoadBalancer", "allocateLoadBalancerNodePorts": false,
                "selector": ["app.kubernetes.io/name": "web"],
                "ports": [
                    ["name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080],
                    ["name": "https", "protocol": "TCP", "port": 443, "targetPort": 8443],
                ],
            ],
        ]
    }

    /// The strategic merge patch `kubectl apply` sends after the manifest changed the https target port
    /// and added a label: the new last-applied annotation, `$setElementOrder` for the merged list and
    /// only the changed list item.
    static let applyPatch: JSONValue = {
        let lastApplied =
            #"{"apiVersion":"v1","kind":"Service","metadata":{"annotations":{"kube-vip.io/loadbalancerIPs":"10.100.0.7"},"#
            + #""labels":{"app.kubernetes.io/name":"web","app.kubernetes.io/part-of":"shop","tier":"frontend"},"name":"web-7","namespace":"team-7"},"#
            + #""spec":{"ports":[{"name":"http","port":80,"targetPort":8080},{"name":"https","port":443,"targetPort":9443}],"#
            + #""selector":{"app.kubernetes.io/name":"web"},"type":"LoadBalancer"}}"# + "\n"
        return [
            "metadata": [
                "annotations": ["kubectl.kubernetes.io/last-applied-configuration": .string(lastApplied)],
                "labels": ["tier": "frontend"],
            ],
            "spec": [
                "$setElementOrder/ports": [["port": 80], ["port": 443]],
                "ports": [["port": 443, "targetPort": 9443]],
            ],
        ]
    }()

    /// What the cloud-provider side of kube-vip sends per Service (`application/merge-patch+json`).
    static let annotationPatch: JSONValue = [
        "metadata": [
            "annotations": [
                "kube-vip.io/loadbalancerIPs": "10.100.0.7",
                "kube-vip.io/vipHost": "node-2",
                "kube-vip.io/request-ip-address": nil,
            ]
        ]
    ]
}

/// Holds what a benchmark's setup built, for its iterations.
final class Slot<Value> {
    var value: Value?

    var unwrapped: Value {
        guard let value else { fatalError("benchmark state used before its setup ran") }
        return value
    }
}

/// Stops the run loudly: a benchmark that measured a wrong result is worse than none.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fatalError("KubernetesBenchmarks check failed: \(message())")
    }
}
