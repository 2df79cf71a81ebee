import IPAM
import KubernetesModels
import NetworkAddresses

/// The annotation, label and field names kube-vip and kube-vip-cloud-provider share, so that either half of
/// this project can run beside the upstream other half.
public enum KubeVipKeys {
    /// The allocation record: comma-separated addresses, primary family first.
    public static let loadBalancerIPs = "kube-vip.io/loadbalancerIPs"
    /// Copied from `interface-<ns>` / `interface-global` for the node agent.
    public static let serviceInterface = "kube-vip.io/serviceInterface"
    /// Marks the Services this allocator handles; upstream's in-use scan lists by it.
    public static let implementationLabel = "implementation"
    public static let implementationValue = "kube-vip"
    /// A label older upstream versions wrote and the legacy migration removes.
    public static let legacyAddressLabel = "ipam-address"
}

/// What the allocator needs to know about one Service, read once from the object.
///
/// A pure value so that every rule about "which Services are ours and what do they ask for" is testable
/// without an API server.
public struct ServiceView: Sendable, Hashable {
    public let key: ServiceKey
    public let uid: String?
    public let resourceVersion: String?
    /// `metadata.creationTimestamp` as written (RFC 3339 sorts as text), for "oldest claim wins".
    public let created: String
    public let isLoadBalancer: Bool
    public let loadBalancerClass: String?
    /// The `kube-vip.io/loadbalancerIPs` text; nil when absent or blank.
    public let recordText: String?
    /// `spec.loadBalancerIP`; nil when absent or blank.
    public let legacyAddressText: String?
    public let hasImplementationLabel: Bool
    public let hasLegacyAddressLabel: Bool
    public let serviceInterface: String?
    public let ports: [IPAM.ServicePort]
    public let familyPolicy: IPFamilyPolicy
    public let families: [IPFamily]
    /// The addresses in `status.loadBalancer.ingress[].ip`, in order.
    public let ingressAddresses: [String]
    public let isDeleting: Bool

    public init(_ service: KubernetesService) {
        let metadata = service.metadata
        key = ServiceKey(namespace: metadata.namespace ?? "default", name: metadata.name ?? "")
        uid = metadata.uid
        resourceVersion = metadata.resourceVersion
        created = metadata.creationTimestamp ?? ""
        let spec = service.spec
        isLoadBalancer = spec?.type == "LoadBalancer"
        loadBalancerClass = spec?.loadBalancerClass
        let annotations = metadata.annotations ?? [:]
        recordText = Self.nonBlank(annotations[KubeVipKeys.loadBalancerIPs])
        legacyAddressText = Self.nonBlank(spec?.loadBalancerIP)
        let labels = metadata.labels ?? [:]
        hasImplementationLabel = labels[KubeVipKeys.implementationLabel] == KubeVipKeys.implementationValue
        hasLegacyAddressLabel = labels[KubeVipKeys.legacyAddressLabel] != nil
        serviceInterface = annotations[KubeVipKeys.serviceInterface]
        ports = (spec?.ports ?? []).compactMap { port in
            guard let number = UInt16(exactly: port.port),
                let transport = TransportProtocol(kubernetesName: port.protocol ?? "TCP")
            else { return nil }
            return IPAM.ServicePort(transport, number)
        }
        familyPolicy = spec?.ipFamilyPolicy.flatMap(IPFamilyPolicy.init(rawValue:)) ?? .singleStack
        families = (spec?.ipFamilies ?? []).compactMap(IPFamily.init(kubernetesName:))
        ingressAddresses = (service.status?.loadBalancer?.ingress ?? []).compactMap(\.ip)
        isDeleting = metadata.deletionTimestamp != nil
    }

    /// Whether this allocator is responsible for the Service: type LoadBalancer and, by default, no
    /// `spec.loadBalancerClass` (another implementation's); in class mode, exactly the configured class.
    public func isHandled(by selection: ClassSelection) -> Bool {
        guard isLoadBalancer else { return false }
        switch selection {
        case .unclassified: return loadBalancerClass == nil
        case .only(let name): return loadBalancerClass == name
        }
    }

    /// The recorded addresses, or why the record cannot be read.
    public var recordedAddresses: Result<[IPAddress], RecordProblem>? {
        recordText.map { Self.parseAddresses($0, field: KubeVipKeys.loadBalancerIPs) }
    }

    /// `spec.loadBalancerIP` parsed.
    public var legacyAddress: Result<[IPAddress], RecordProblem>? {
        legacyAddressText.map { Self.parseAddresses($0, field: "spec.loadBalancerIP") }
    }

    /// Comma-separated addresses, spaces tolerated (kube-vip accepts `a, b`; upstream's allocator did not).
    static func parseAddresses(_ text: String, field: String) -> Result<[IPAddress], RecordProblem> {
        var addresses: [IPAddress] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: " \t")
            guard let address = IPAddress(String(trimmed)) else {
                return .failure(RecordProblem(field: field, value: text, entry: String(trimmed)))
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        guard addresses.count <= 2, Set(addresses.map(\.family)).count == addresses.count else {
            return .failure(RecordProblem(field: field, value: text, entry: nil))
        }
        return .success(addresses)
    }

    private static func nonBlank(_ text: String?) -> String? {
        guard let text, !text.allSatisfy({ $0 == " " || $0 == "\t" }) else { return nil }
        return text
    }
}

/// Which LoadBalancer Services this allocator serves (`KUBEVIP_ENABLE_LOADBALANCERCLASS`).
public enum ClassSelection: Sendable, Hashable {
    /// Services without `spec.loadBalancerClass` (the default, as upstream's service controller).
    case unclassified
    /// Only Services of this class (`KUBEVIP_CUSTOM_LOADBALANCERCLASS_NAME`).
    case only(String)
}

/// An address field the allocator cannot read.
public struct RecordProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public let field: String
    public let value: String
    /// The entry that is not an address; nil when the list as a whole is wrong (more than one address of a family).
    public let entry: String?

    public var description: String {
        if let entry {
            "\(field) \"\(value)\": \"\(entry)\" is not an IP address"
        } else {
            "\(field) \"\(value)\": at most one IPv4 and one IPv6 address"
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return Substring(slice)
    }
}
