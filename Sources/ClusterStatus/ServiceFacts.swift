import Foundation
import IPAM
import KubeVipConventions
import KubernetesModels
import NetworkAddresses

/// What the report needs of one LoadBalancer Service, read once.
struct ServiceFacts {
    let key: ServiceKey
    let uid: String?
    let created: String
    let ports: [IPAM.ServicePort]
    let familyPolicy: IPFamilyPolicy
    let families: [IPFamily]
    /// The addresses the allocator recorded or the user asked for (annotation, else `spec.loadBalancerIP`).
    let recorded: [IPAddress]
    /// Whether `recorded` came from `spec.loadBalancerIP` (a request, never an allocator's choice).
    let recordIsLegacy: Bool
    /// A record that is not a list of addresses, verbatim with the field it is in.
    let unreadableRecord: String?
    /// `status.loadBalancer.ingress[].ip`: what the node agent (or `--write-status`) reports as served.
    let ingress: [IPAddress]
    let vipHost: String?
    /// The Lease of per-Service election, named by the node agent's rule.
    let lease: LeaseName

    init(_ service: KubernetesService) {
        let namespace = service.metadata.namespace ?? "default"
        let name = service.metadata.name ?? ""
        key = ServiceKey(namespace: namespace, name: name)
        uid = service.metadata.uid
        created = service.metadata.creationTimestamp ?? ""
        let annotations = service.metadata.annotations ?? [:]
        ports = (service.spec?.ports ?? []).compactMap { port in
            guard let number = UInt16(exactly: port.port),
                let transport = TransportProtocol(kubernetesName: port.protocol ?? "TCP")
            else { return nil }
            return IPAM.ServicePort(transport, number)
        }
        familyPolicy = service.spec?.ipFamilyPolicy.flatMap(IPFamilyPolicy.init(rawValue:)) ?? .singleStack
        families = (service.spec?.ipFamilies ?? []).compactMap(IPFamily.init(kubernetesName:))

        var unreadable: String?
        var recorded: [IPAddress] = []
        var legacy = false
        if let text = Self.nonBlank(annotations[KubeVipKeys.loadBalancerIPs]) {
            switch AddressRecord.parse(text) {
            case .success(let addresses): recorded = addresses
            case .failure: unreadable = "\(KubeVipKeys.loadBalancerIPs) \"\(text)\""
            }
        } else if let text = Self.nonBlank(service.spec?.loadBalancerIP) {
            switch AddressRecord.parse(text) {
            case .success(let addresses):
                recorded = addresses
                legacy = true
            case .failure: unreadable = "spec.loadBalancerIP \"\(text)\""
            }
        }
        self.recorded = recorded
        recordIsLegacy = legacy
        unreadableRecord = unreadable
        ingress = (service.status?.loadBalancer?.ingress ?? []).compactMap { $0.ip.flatMap(IPAddress.init) }
        vipHost = Self.nonBlank(annotations[KubeVipKeys.vipHost])

        lease = ServiceLease.of(
            namespace: namespace, name: name, annotations: annotations,
            localTraffic: service.spec?.externalTrafficPolicy == "Local")
    }

    /// The addresses to show: the record, with DHCP's `0.0.0.0` replaced by the leased address once the
    /// status shows one; without a record, what the status says.
    var shownAddresses: [IPAddress] {
        guard !recorded.isEmpty else { return ingress }
        return recorded.flatMap { address -> [IPAddress] in
            guard address.isUnspecified else { return [address] }
            let leased = ingress.filter { $0.family == address.family && !recorded.contains($0) }
            return leased.isEmpty ? [address] : leased
        }
    }

    /// `0.0.0.0` recorded and no leased address reported yet.
    var isWaitingForDHCP: Bool { shownAddresses.contains { $0.isUnspecified } }

    /// The request the allocator would be asked, to learn why a pending Service has no address.
    var request: AddressRequest {
        AddressRequest(service: key, ports: ports, familyPolicy: familyPolicy, families: families)
    }

    private static func nonBlank(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }
}

/// A Lease as the report sees it: who holds it, and whether that is still true.
struct LeaseFacts {
    let name: LeaseName
    /// Nil when nobody holds it (released, or never acquired).
    let holder: String?
    /// When the holder last renewed it plus its duration; nil when the Lease says neither.
    let expires: Date?

    init(_ lease: Lease) {
        name = LeaseName(namespace: lease.metadata.namespace ?? "default", name: lease.metadata.name ?? "")
        let identity = lease.spec?.holderIdentity ?? ""
        holder = identity.isEmpty ? nil : identity
        let renewed = lease.spec?.renewTime ?? lease.spec?.acquireTime
        // client-go's default when a Lease names no duration.
        let duration = TimeInterval(lease.spec?.leaseDurationSeconds ?? 15)
        expires = renewed.map { $0.date.addingTimeInterval(duration) }
    }

    func isExpired(at now: Date) -> Bool {
        guard let expires else { return false }
        return expires < now
    }
}

/// The newest Events about one Service, to say why it is pending or what went wrong last.
struct EventFacts {
    let reason: String
    let message: String
    let isWarning: Bool
    let count: Int
    let time: Int64
    /// The Service the Event is about: a Service deleted and created again under the same name is another
    /// object, and its predecessor's Warnings are not its problems.
    let objectUID: String?

    init?(_ event: Event) {
        guard event.involvedObject.kind == "Service" else { return nil }
        objectUID = event.involvedObject.uid
        reason = event.reason ?? ""
        message = event.message ?? ""
        isWarning = event.type == "Warning"
        count = event.count ?? 1
        let creation = event.metadata.creationTimestamp.flatMap(Timestamp.init(rfc3339:))
        time = (event.lastTimestamp ?? event.firstTimestamp ?? creation)?.secondsSinceEpoch ?? 0
    }

    /// Matched by uid as `kubectl describe` matches them; an Event or a Service without one is matched by name.
    func isAbout(_ service: ServiceFacts) -> Bool {
        guard let objectUID, let uid = service.uid else { return true }
        return objectUID == uid
    }

    var text: String {
        let times = count > 1 ? " (\(count) times)" : ""
        return "\(reason): \(message)\(times)"
    }
}
