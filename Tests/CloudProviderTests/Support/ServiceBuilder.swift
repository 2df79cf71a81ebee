import KubernetesModels
import NetworkAddresses
import Testing

/// A Service as the API server shows it, with only what a test cares about set.
///
/// Defaults describe the common case (a TCP/80 LoadBalancer in `default`) so that each test spells out only
/// the field its behaviour depends on.
func makeService(
    _ name: String, namespace: String = "default", version: Int = 1, created: String = timestamp(0),
    type: String? = "LoadBalancer", loadBalancerClass: String? = nil, record: String? = nil,
    loadBalancerIP: String? = nil, labels: [String: String]? = nil, annotations: [String: String] = [:],
    ports: [KubernetesModels.ServicePort] = [KubernetesModels.ServicePort(protocol: "TCP", port: 80)],
    ipFamilies: [String]? = nil, ipFamilyPolicy: String? = nil, ingress: [String] = [], deleting: Bool = false
) -> KubernetesService {
    var allAnnotations = annotations
    if let record { allAnnotations["kube-vip.io/loadbalancerIPs"] = record }
    var metadata = ObjectMeta(
        name: name, namespace: namespace, labels: labels, annotations: allAnnotations.isEmpty ? nil : allAnnotations,
        resourceVersion: String(version), uid: "uid-\(namespace)-\(name)")
    metadata.creationTimestamp = created
    if deleting { metadata.deletionTimestamp = created }
    let spec = ServiceSpec(
        type: type, ports: ports, loadBalancerIP: loadBalancerIP, loadBalancerClass: loadBalancerClass,
        ipFamilies: ipFamilies, ipFamilyPolicy: ipFamilyPolicy)
    let status =
        ingress.isEmpty
        ? nil : ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: ingress.map { LoadBalancerIngress(ip: $0) }))
    return KubernetesService(metadata: metadata, spec: spec, status: status)
}

/// A Service that shows an allocation the way the allocator records it.
func recordedService(
    _ name: String, namespace: String = "default", created: String = timestamp(0), _ record: String
) -> KubernetesService {
    makeService(
        name, namespace: namespace, created: created, record: record,
        loadBalancerIP: record.split(separator: ",").first.map(String.init), labels: ["implementation": "kube-vip"])
}

/// An RFC 3339 creation time `seconds` after a fixed origin; later arguments sort later, as on a real server.
func timestamp(_ seconds: Int) -> String {
    func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "2024-01-01T\(twoDigits(seconds / 3600)):\(twoDigits(seconds / 60 % 60)):\(twoDigits(seconds % 60))Z"
}

/// Parses an address a test writes literally; a typo fails the test instead of trapping.
func address(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> IPAddress {
    try #require(IPAddress(text), "\(text) is not an address", sourceLocation: sourceLocation)
}

func addresses(_ texts: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> [IPAddress] {
    try texts.map { try address($0, sourceLocation: sourceLocation) }
}
