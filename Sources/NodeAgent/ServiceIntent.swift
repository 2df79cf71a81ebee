import IPAM
import KubeVipConventions
import KubernetesModels
import NetworkAddresses

/// What one Service asks of the node agent, read from the object alone: which addresses, on which
/// interface, under which Lease, and what it currently says about itself (status, `vipHost`), so the
/// agent writes only what differs.
struct ServiceIntent: Sendable, Hashable {
    var key: ServiceKey
    var uid: String
    /// For "oldest first" among Services sharing an address (RFC 3339 sorts as text).
    var created: String
    /// The addresses to serve, in the Service's order, without duplicates.
    var addresses: [IPAddress]
    /// Entries that are not addresses this agent serves (hostnames, DHCPv6's ::), for one warning.
    var unsupported: [String]
    /// The address is `0.0.0.0`: lease one by DHCP on a macvlan of its own.
    var dhcp: DHCPRequest?
    /// `kube-vip.io/forwardUPNP: "true"`: forward the ports on the gateway while this node holds the address.
    var upnp: UPnPRequest?
    /// externalTrafficPolicy Local: only a node with a serving local endpoint may hold the address.
    var localTraffic: Bool
    var allowWithoutEndpoints: Bool
    /// The Lease `kube-vip.io/leaseName` names, even where it does not apply (for the warning that says so).
    var leaseAnnotation: LeaseName?
    /// The Lease of per-Service election, by the rule `kube-vip status` also reads holders by.
    var lease: LeaseName
    /// `kube-vip.io/serviceInterface`.
    var interface: InterfaceChoice?
    var ports: [PortStatus]
    var ingress: [LoadBalancerIngress]
    var vipHost: String?

    /// Why the agent leaves a Service alone, or nil when it is one to serve.
    enum Skip: Sendable, Hashable {
        case notLoadBalancer
        case ignored
        case otherClass(String?)
    }

    /// Reads a Service; nil with a reason when the agent does not handle it at all.
    static func read(_ service: KubernetesService, settings: AgentSettings) -> Result<ServiceIntent, SkipReason> {
        guard service.spec?.type == "LoadBalancer" else { return .failure(SkipReason(.notLoadBalancer)) }
        let annotations = service.metadata.annotations ?? [:]
        if annotations[KubeVipKeys.ignore]?.lowercased() == "true" {
            return .failure(SkipReason(.ignored))
        }
        let serviceClass = service.spec?.loadBalancerClass
        guard Self.acceptsClass(serviceClass, settings: settings) else {
            return .failure(SkipReason(.otherClass(serviceClass)))
        }
        let namespace = service.metadata.namespace ?? "default"
        let key = ServiceKey(namespace: namespace, name: service.metadata.name ?? "")
        let (addresses, unsupported, wantsDHCP) = Self.addresses(of: service)
        let localTraffic = service.spec?.externalTrafficPolicy == "Local"
        let intent = ServiceIntent(
            key: key,
            uid: service.metadata.uid ?? "",
            created: service.metadata.creationTimestamp ?? "",
            addresses: addresses,
            unsupported: unsupported,
            dhcp: wantsDHCP ? DHCPRequest.read(annotations: annotations, uid: service.metadata.uid ?? "") : nil,
            upnp: UPnPRequest.read(annotations: annotations),
            localTraffic: localTraffic,
            allowWithoutEndpoints: annotations[KubeVipKeys.allowWithoutEndpoints]?.lowercased() == "true",
            leaseAnnotation: ServiceLease.annotated(annotations[KubeVipKeys.leaseName], namespace: namespace),
            lease: ServiceLease.of(
                namespace: namespace, name: key.name, annotations: annotations, localTraffic: localTraffic),
            interface: annotations[KubeVipKeys.serviceInterface].map { InterfaceChoice($0) },
            ports: (service.spec?.ports ?? []).map { PortStatus(port: $0.port, protocol: $0.protocol ?? "TCP") },
            ingress: service.status?.loadBalancer?.ingress ?? [],
            vipHost: annotations[KubeVipKeys.vipHost])
        return .success(intent)
    }

    struct SkipReason: Error, Hashable {
        var skip: Skip
        init(_ skip: Skip) { self.skip = skip }
    }

    /// Upstream's filter: legacy handling accepts Services without a class (unless `lb_class_only`) and those
    /// of our class; otherwise the class must match exactly, an empty class name matching "no class".
    static func acceptsClass(_ serviceClass: String?, settings: AgentSettings) -> Bool {
        if settings.classLegacyHandling {
            if let serviceClass { return serviceClass == settings.className }
            return !settings.classOnly
        }
        return (serviceClass ?? "") == settings.className
    }

    /// Upstream's order: the annotation, else the status (where `spec.loadBalancerIP` wins over a different
    /// address of the same family), else `spec.loadBalancerIP`.
    static func addresses(of service: KubernetesService) -> (addresses: [IPAddress], unsupported: [String], dhcp: Bool) {
        var entries: [String]
        let specAddress = service.spec?.loadBalancerIP.flatMap { $0.isEmpty ? nil : $0 }
        if let annotation = service.metadata.annotations?[KubeVipKeys.loadBalancerIPs], !annotation.isEmpty {
            entries = annotation.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        } else if let ingress = service.status?.loadBalancer?.ingress, !ingress.isEmpty {
            entries = ingress.compactMap { $0.ip ?? $0.hostname }
            if let specAddress, let spec = IPAddress(specAddress) {
                entries = entries.map { entry in
                    guard let address = IPAddress(entry), address.family == spec.family, address != spec else { return entry }
                    return specAddress
                }
            }
        } else if let specAddress {
            entries = [specAddress]
        } else {
            entries = []
        }
        var addresses: [IPAddress] = []
        var unsupported: [String] = []
        var dhcp = false
        for entry in entries {
            guard let address = IPAddress(entry) else {
                unsupported.append(entry)
                continue
            }
            if address.value == 0 {
                if address.family == .ipv4 { dhcp = true } else { unsupported.append(entry) }
                continue
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        return (addresses, unsupported, dhcp)
    }

    /// The ingress this node reports once it holds `held` of the Service's addresses (`leased`: its DHCP address).
    func ingress(holding held: Set<IPAddress>, leased: IPAddress? = nil) -> [LoadBalancerIngress] {
        let all = leased.map { addresses.contains($0) ? addresses : addresses + [$0] } ?? addresses
        return all.filter(held.contains).map { LoadBalancerIngress(ip: $0.description, ports: ports) }
    }
}
