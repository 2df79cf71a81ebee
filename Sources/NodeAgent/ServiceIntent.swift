import KubernetesModels
import NetworkAddresses

/// A Service by namespace and name.
struct ServiceKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    var namespace: String
    var name: String

    static func < (lhs: ServiceKey, rhs: ServiceKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    var description: String { "\(namespace)/\(name)" }
}

/// A Lease by namespace and name.
struct LeaseKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    var namespace: String
    var name: String

    static func < (lhs: LeaseKey, rhs: LeaseKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    var description: String { "\(namespace)/\(name)" }
}

/// The annotations upstream's node agent reads and writes; same keys, so either implementation can take over
/// from the other.
enum AgentAnnotations {
    static let loadBalancerIPs = "kube-vip.io/loadbalancerIPs"
    static let ignore = "kube-vip.io/ignore"
    static let serviceInterface = "kube-vip.io/serviceInterface"
    static let leaseName = "kube-vip.io/leaseName"
    static let allowWithoutEndpoints = "kube-vip.io/allow-reconcile-without-endpoints"
    static let vipHost = "kube-vip.io/vipHost"
}

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
    /// `kube-vip.io/leaseName` (`name` or `namespace/name`), already resolved against the Service's namespace.
    var leaseOverride: LeaseKey?
    /// `kube-vip.io/serviceInterface`.
    var interface: InterfaceChoice?
    var ports: [PortStatus]
    var ingress: [LoadBalancerIngress]
    var vipHost: String?

    /// The Lease of per-Service election when no annotation names one.
    var defaultLease: LeaseKey { LeaseKey(namespace: key.namespace, name: "kubevip-\(key.name)") }

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
        if annotations[AgentAnnotations.ignore]?.lowercased() == "true" {
            return .failure(SkipReason(.ignored))
        }
        let serviceClass = service.spec?.loadBalancerClass
        guard Self.acceptsClass(serviceClass, settings: settings) else {
            return .failure(SkipReason(.otherClass(serviceClass)))
        }
        let namespace = service.metadata.namespace ?? "default"
        let key = ServiceKey(namespace: namespace, name: service.metadata.name ?? "")
        let (addresses, unsupported, wantsDHCP) = Self.addresses(of: service)
        let leaseOverride = annotations[AgentAnnotations.leaseName].flatMap { text -> LeaseKey? in
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            switch parts.count {
            case 1 where !parts[0].isEmpty: return LeaseKey(namespace: namespace, name: parts[0])
            case 2 where !parts[0].isEmpty && !parts[1].isEmpty: return LeaseKey(namespace: parts[0], name: parts[1])
            default: return nil
            }
        }
        let intent = ServiceIntent(
            key: key,
            uid: service.metadata.uid ?? "",
            created: service.metadata.creationTimestamp ?? "",
            addresses: addresses,
            unsupported: unsupported,
            dhcp: wantsDHCP ? DHCPRequest.read(annotations: annotations, uid: service.metadata.uid ?? "") : nil,
            upnp: UPnPRequest.read(annotations: annotations),
            localTraffic: service.spec?.externalTrafficPolicy == "Local",
            allowWithoutEndpoints: annotations[AgentAnnotations.allowWithoutEndpoints]?.lowercased() == "true",
            leaseOverride: leaseOverride,
            interface: annotations[AgentAnnotations.serviceInterface].map { InterfaceChoice($0) },
            ports: (service.spec?.ports ?? []).map { PortStatus(port: $0.port, protocol: $0.protocol ?? "TCP") },
            ingress: service.status?.loadBalancer?.ingress ?? [],
            vipHost: annotations[AgentAnnotations.vipHost])
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
        if let annotation = service.metadata.annotations?[AgentAnnotations.loadBalancerIPs], !annotation.isEmpty {
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
