import IPAM
import KubeVipConventions
import KubernetesClient
import KubernetesModels
import LeaderElection
import NetworkAddresses
import NetworkDriver
import NetworkFrames

@testable import NodeAgent

/// Services and EndpointSlices as the watches deliver them, built tersely for the reconciler's specs.
enum AgentFixtures {
    static func service(
        _ name: String, namespace: String = "default", addresses: String? = nil, loadBalancerIP: String? = nil,
        local: Bool = false, created: Int = 0, annotations: [String: String] = [:], ingress: [String] = [],
        type: String = "LoadBalancer", loadBalancerClass: String? = nil, ports: [Int] = [80]
    ) -> KubernetesService {
        var annotations = annotations
        if let addresses { annotations["kube-vip.io/loadbalancerIPs"] = addresses }
        var metadata = ObjectMeta(name: name, namespace: namespace, annotations: annotations, uid: "uid-\(name)")
        metadata.creationTimestamp = String(format: "2026-01-01T00:00:%02dZ", created)
        let spec = ServiceSpec(
            type: type, ports: ports.map { ServicePort(name: "p\($0)", port: $0) }, loadBalancerIP: loadBalancerIP,
            loadBalancerClass: loadBalancerClass, externalTrafficPolicy: local ? "Local" : "Cluster")
        let status = ServiceStatus(
            loadBalancer: LoadBalancerStatus(ingress: ingress.isEmpty ? nil : ingress.map { LoadBalancerIngress(ip: $0) }))
        return KubernetesService(metadata: metadata, spec: spec, status: status)
    }

    static func slice(
        for service: String, namespace: String = "default", name: String? = nil, node: String? = nil, ready: Bool = true
    ) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(
                name: name ?? "\(service)-abcde", namespace: namespace,
                labels: ["kubernetes.io/service-name": service]),
            addressType: "IPv4",
            endpoints: [Endpoint(addresses: ["10.0.0.1"], conditions: EndpointConditions(ready: ready), nodeName: node)])
    }

    static func ip(_ text: String) -> IPAddress {
        guard let address = IPAddress(text) else { fatalError("bad test address \(text)") }
        return address
    }

    static let link = NetworkLink(
        index: 2, name: "eth0", hardwareAddress: MACAddress(2, 0, 0, 0, 0, 1), isUp: true, isLoopback: false)
}

/// Drives an `AgentReconciler` and keeps what it decided, for assertions.
struct ReconcilerDriver {
    var reconciler: AgentReconciler
    var actions: [AgentAction] = []

    init(settings: AgentSettings) {
        reconciler = AgentReconciler(settings: settings)
    }

    static func global(node: String = "node1") -> ReconcilerDriver {
        ReconcilerDriver(settings: AgentSettings(nodeName: node))
    }

    static func perService(node: String = "node1") -> ReconcilerDriver {
        ReconcilerDriver(settings: AgentSettings(nodeName: node, election: .perService))
    }

    static let globalLease = LeaseName(namespace: "kube-system", name: "plndr-svcs-lock")

    @discardableResult
    mutating func apply(_ input: AgentInput) -> [AgentAction] {
        let new = reconciler.apply(input)
        actions += new
        return new
    }

    mutating func synced() {
        apply(.service(.synced))
        apply(.endpointSlice(.synced))
    }

    mutating func add(_ service: KubernetesService) { apply(.service(.added(service))) }
    mutating func update(_ service: KubernetesService) { apply(.service(.updated(old: service, new: service))) }
    mutating func delete(_ service: KubernetesService) { apply(.service(.deleted(service))) }
    mutating func add(_ slice: EndpointSlice) { apply(.endpointSlice(.added(slice))) }
    mutating func update(_ slice: EndpointSlice) { apply(.endpointSlice(.updated(old: slice, new: slice))) }
    mutating func lead(_ lease: LeaseName = globalLease) { apply(.leadership(lease, .leading)) }
    mutating func follow(_ lease: LeaseName = globalLease, holder: String?) { apply(.leadership(lease, .following(holder: holder))) }
    mutating func held(_ address: String) {
        apply(.advertiser(.held(AgentFixtures.ip(address), link: AgentFixtures.link)))
    }

    /// The actions since the last call, then forgets them.
    mutating func take() -> [AgentAction] {
        defer { actions = [] }
        return actions
    }

    var claimed: [IPAddress] {
        actions.compactMap { if case .claim(let claim, _) = $0 { claim.address } else { nil } }
    }
    var claims: [AddressClaim] {
        actions.compactMap { if case .claim(let claim, _) = $0 { claim } else { nil } }
    }
    var withdrawn: [IPAddress] {
        actions.compactMap { if case .withdraw(let address) = $0 { address } else { nil } }
    }
    var campaigns: [LeaseName] {
        actions.compactMap { if case .campaign(let lease) = $0 { lease } else { nil } }
    }
    var resignations: [LeaseName] {
        actions.compactMap { if case .resign(let lease) = $0 { lease } else { nil } }
    }
    /// (Service, ingress, the `vipHost` written) of each status write.
    var statusWrites: [(ServiceKey, [LoadBalancerIngress]?, String?)] {
        actions.compactMap {
            if case .writeStatus(let key, let ingress, let annotations, _) = $0 {
                (key, ingress, annotations[KubeVipKeys.vipHost])
            } else {
                nil
            }
        }
    }
    /// Every annotation each status write sets.
    var annotationWrites: [(ServiceKey, [String: String])] {
        actions.compactMap {
            if case .writeStatus(let key, _, let annotations, _) = $0 { (key, annotations) } else { nil }
        }
    }
    var dhcpStarts: [DHCPClaim] {
        actions.compactMap { if case .startDHCP(let claim, _) = $0 { claim } else { nil } }
    }
    var dhcpStops: [String] {
        actions.compactMap { if case .stopDHCP(let name) = $0 { name } else { nil } }
    }
    func events(reason: String) -> [(ServiceKey, String)] {
        actions.compactMap {
            if case .event(let key, _, _, let r, let message) = $0, r == reason { (key, message) } else { nil }
        }
    }
}
