import KubernetesModels

/// Services: core/v1 defaults, validation, and (through `ServiceAllocator`) the cluster IPs and node ports
/// that a real cluster assigns.
struct ServiceStrategy: ResourceStrategy {
    var nameRule: NameRule { .dns1035Label }

    func prepareForCreate(_ object: inout JSONValue) {
        object["status"] = ["loadBalancer": [:]]
    }

    func applyDefaults(_ object: inout JSONValue) {
        var spec = object["spec"] ?? [:]
        object["spec"] = nil
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        spec["type"] = .string(type)
        if spec["sessionAffinity"] == nil { spec["sessionAffinity"] = "None" }
        if case .array(var ports) = spec["ports"] {
            spec["ports"] = nil
            for index in ports.indices where ports[index].objectValue != nil {
                if ports[index]["protocol"] == nil { ports[index]["protocol"] = "TCP" }
                if ports[index]["targetPort"] == nil, let port = ports[index]["port"] {
                    ports[index]["targetPort"] = port
                }
            }
            spec["ports"] = .array(ports)
        }
        if type != ServiceType.externalName {
            if spec["internalTrafficPolicy"] == nil { spec["internalTrafficPolicy"] = "Cluster" }
            if spec["ipFamilies"] == nil { spec["ipFamilies"] = ["IPv4"] }
            if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = "SingleStack" }
        }
        if ServiceType.exposesNodePorts(type), spec["externalTrafficPolicy"] == nil {
            spec["externalTrafficPolicy"] = "Cluster"
        }
        if type == ServiceType.loadBalancer, spec["allocateLoadBalancerNodePorts"] == nil {
            spec["allocateLoadBalancerNodePorts"] = true
        }
        object["spec"] = spec
    }

    /// Drops fields the new type no longer uses when the client merely carried them over from the stored
    /// object (kubectl sends the whole old spec with a changed `type`), as kube-apiserver does.
    func prepareForUpdate(_ object: inout JSONValue, old: JSONValue) {
        let type = object[path: "spec", "type"]?.stringValue ?? ""
        let oldType = old[path: "spec", "type"]?.stringValue ?? ""
        if !ServiceType.exposesNodePorts(type), ServiceType.exposesNodePorts(oldType),
            case .array(var ports) = object[path: "spec", "ports"]
        {
            let oldNodePorts = Set(ServicePorts(old).nodePorts)
            for index in ports.indices {
                if let nodePort = ports[index]["nodePort"]?.intValue, oldNodePorts.contains(Int(nodePort)) {
                    ports[index]["nodePort"] = nil
                }
            }
            object[path: "spec", "ports"] = .array(ports)
        }
        if !ServiceType.exposesNodePorts(type) {
            for field in ["externalTrafficPolicy", "allocateLoadBalancerNodePorts"]
            where object[path: "spec", field] == old[path: "spec", field] {
                object[path: "spec", field] = nil
            }
        } else if type != ServiceType.loadBalancer,
            object[path: "spec", "allocateLoadBalancerNodePorts"] == old[path: "spec", "allocateLoadBalancerNodePorts"]
        {
            object[path: "spec", "allocateLoadBalancerNodePorts"] = nil
        }
        if !ServiceType.needsHealthCheckNodePort(object["spec"] ?? [:]),
            object[path: "spec", "healthCheckNodePort"] == old[path: "spec", "healthCheckNodePort"]
        {
            object[path: "spec", "healthCheckNodePort"] = nil
        }
        if type == ServiceType.externalName, oldType != ServiceType.externalName {
            for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy"]
            where object[path: "spec", field] == old[path: "spec", field] {
                object[path: "spec", field] = nil
            }
        }
    }

    func validate(_ object: JSONValue, old: JSONValue?) -> [Status.Cause] {
        ServiceValidation.causes(object["spec"] ?? [:])
    }
}

/// `spec.type` values and what each implies.
enum ServiceType {
    static let clusterIP = "ClusterIP"
    static let nodePort = "NodePort"
    static let loadBalancer = "LoadBalancer"
    static let externalName = "ExternalName"
    static let all = [clusterIP, externalName, loadBalancer, nodePort]

    static func exposesNodePorts(_ type: String) -> Bool { type == nodePort || type == loadBalancer }

    /// NodePort Services always get node ports; LoadBalancers unless `allocateLoadBalancerNodePorts: false`.
    static func allocatesNodePorts(_ spec: JSONValue) -> Bool {
        let type = spec["type"]?.stringValue ?? clusterIP
        if type == nodePort { return true }
        return type == loadBalancer && spec["allocateLoadBalancerNodePorts"]?.boolValue != false
    }

    /// A LoadBalancer with `externalTrafficPolicy: Local` gets a port for the load balancer's health checks.
    static func needsHealthCheckNodePort(_ spec: JSONValue) -> Bool {
        spec["type"]?.stringValue == loadBalancer && spec["externalTrafficPolicy"]?.stringValue == "Local"
    }
}

/// The node ports an object holds: one per port entry that has one, plus the health-check port.
struct ServicePorts {
    var nodePorts: [Int]

    init(_ service: JSONValue) {
        var ports = (service[path: "spec", "ports"]?.arrayValue ?? []).compactMap { port -> Int? in
            guard let value = port["nodePort"]?.intValue, value != 0 else { return nil }
            return Int(value)
        }
        if let health = service[path: "spec", "healthCheckNodePort"]?.intValue, health != 0 {
            ports.append(Int(health))
        }
        nodePorts = ports
    }
}
