/// A core/v1 Service, with the fields the address allocator and the node agent read and write.
///
/// Not called `Service` because ServiceLifecycle's `Service` protocol is imported next to it in every
/// long-running module, and the two names would be ambiguous there. Unknown fields are dropped on decode; to change a Service without losing them, patch it or edit the raw
/// `JSONValue` (see `KubernetesClient`).
public struct KubernetesService: KubernetesObject, Hashable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Service"
    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: ServiceStatus?

    public init(metadata: ObjectMeta, spec: ServiceSpec? = nil, status: ServiceStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct ServiceSpec: Codable, Sendable, Hashable {
    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`; absent means `ClusterIP`.
    public var type: String?
    public var ports: [ServicePort]?
    public var selector: [String: String]?
    public var clusterIP: String?
    public var clusterIPs: [String]?
    /// Deprecated upstream but still how kube-vip (and `kubectl expose --load-balancer-ip`) asks for an address.
    public var loadBalancerIP: String?
    public var loadBalancerClass: String?
    /// `Cluster` or `Local`.
    public var externalTrafficPolicy: String?
    /// `IPv4`, `IPv6`.
    public var ipFamilies: [String]?
    /// `SingleStack`, `PreferDualStack` or `RequireDualStack`.
    public var ipFamilyPolicy: String?

    public init(
        type: String? = nil, ports: [ServicePort]? = nil, selector: [String: String]? = nil,
        clusterIP: String? = nil, clusterIPs: [String]? = nil, loadBalancerIP: String? = nil,
        loadBalancerClass: String? = nil, externalTrafficPolicy: String? = nil, ipFamilies: [String]? = nil,
        ipFamilyPolicy: String? = nil
    ) {
        self.type = type
        self.ports = ports
        self.selector = selector
        self.clusterIP = clusterIP
        self.clusterIPs = clusterIPs
        self.loadBalancerIP = loadBalancerIP
        self.loadBalancerClass = loadBalancerClass
        self.externalTrafficPolicy = externalTrafficPolicy
        self.ipFamilies = ipFamilies
        self.ipFamilyPolicy = ipFamilyPolicy
    }
}

public struct ServicePort: Codable, Sendable, Hashable {
    public var name: String?
    /// `TCP` (the default when absent), `UDP` or `SCTP`.
    public var `protocol`: String?
    public var port: Int
    public var targetPort: IntOrString?
    public var nodePort: Int?

    public init(
        name: String? = nil, protocol: String? = nil, port: Int, targetPort: IntOrString? = nil,
        nodePort: Int? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }
}

public struct ServiceStatus: Codable, Sendable, Hashable {
    public var loadBalancer: LoadBalancerStatus?

    public init(loadBalancer: LoadBalancerStatus? = nil) { self.loadBalancer = loadBalancer }
}

public struct LoadBalancerStatus: Codable, Sendable, Hashable {
    public var ingress: [LoadBalancerIngress]?

    public init(ingress: [LoadBalancerIngress]? = nil) { self.ingress = ingress }
}

public struct LoadBalancerIngress: Codable, Sendable, Hashable {
    public var ip: String?
    public var hostname: String?
    public var ports: [PortStatus]?

    public init(ip: String? = nil, hostname: String? = nil, ports: [PortStatus]? = nil) {
        self.ip = ip
        self.hostname = hostname
        self.ports = ports
    }
}

public struct PortStatus: Codable, Sendable, Hashable {
    public var port: Int
    public var `protocol`: String
    public var error: String?

    public init(port: Int, protocol: String, error: String? = nil) {
        self.port = port
        self.protocol = `protocol`
        self.error = error
    }
}
