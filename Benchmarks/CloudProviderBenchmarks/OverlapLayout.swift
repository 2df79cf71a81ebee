import KubernetesModels

/// The peer benchmark's "overlap" scenario (`shared/reference/peer-bench.md`) as API objects: the
/// `kube-system/kubevip` ConfigMap, the 50 namespaces and the Services.
///
/// Global pool `10.0.0.0/16`; each even namespace `ns-2k` has `10.0.(8k).0/21,10.0.(8k+8).0/21`, overlapping
/// its neighbour's pool by half and the global pool entirely. Without handing out duplicates the layout
/// cannot hold every Service from about 7,500 on: the global pool's lowest free addresses lie in `ns-00`'s
/// pool, which the odd namespaces drain, so some of `ns-00`'s Services are refused (about 49 at 10,000).
enum OverlapLayout {
    static let namespaceCount = 50
    static let configMapNamespace = "kube-system"
    static let configMapName = "kubevip"
    static let addressAnnotation = "kube-vip.io/loadbalancerIPs"

    static func namespace(_ index: Int) -> String {
        index < 10 ? "ns-0\(index)" : "ns-\(index)"
    }

    static var namespaces: [String] { (0..<namespaceCount).map(namespace) }

    static func namespaceObject(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
    }

    static var configMap: JSONValue {
        var data: [String: JSONValue] = ["cidr-global": "10.0.0.0/16"]
        for k in 0..<25 {
            data["cidr-\(namespace(2 * k))"] = .string("10.0.\(8 * k).0/21,10.0.\(8 * k + 8).0/21")
        }
        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(configMapName), "namespace": .string(configMapNamespace)],
            "data": .object(data),
        ]
    }

    /// Service j: `svc-%05d` in `ns-(j mod 50)`, LoadBalancer, one TCP/80 port, nothing requested. No node
    /// ports: 10,000 LoadBalancers with node ports cannot exist (the default range has 2,768).
    static func service(_ j: Int) -> (namespace: String, object: JSONValue) {
        let namespace = namespace(j % namespaceCount)
        let digits = String(j)
        let name = "svc-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        let object: JSONValue = [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": ["app": "bench"]],
            "spec": [
                "type": "LoadBalancer", "allocateLoadBalancerNodePorts": false,
                "selector": ["app": "bench"],
                "ports": [["name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080]],
            ],
        ]
        return (namespace, object)
    }
}
