import IPAM
import KubeVipConventions
import KubernetesModels
import NetworkAddresses

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

    /// Reads the view straight from the Service's JSON, as the watch delivers it: decoding the typed model
    /// first cost more than half of the controller's CPU at 10,000 Services.
    public init(json service: JSONValue) {
        let metadata = service["metadata"]
        key = ServiceKey(
            namespace: metadata?["namespace"]?.stringValue ?? "default", name: metadata?["name"]?.stringValue ?? "")
        uid = metadata?["uid"]?.stringValue
        resourceVersion = metadata?["resourceVersion"]?.stringValue
        created = metadata?["creationTimestamp"]?.stringValue ?? ""
        isDeleting = metadata?["deletionTimestamp"]?.stringValue != nil
        let spec = service["spec"]
        isLoadBalancer = spec?["type"]?.stringValue == "LoadBalancer"
        loadBalancerClass = spec?["loadBalancerClass"]?.stringValue
        let annotations = metadata?["annotations"]
        recordText = Self.nonBlank(annotations?[KubeVipKeys.loadBalancerIPs]?.stringValue)
        serviceInterface = annotations?[KubeVipKeys.serviceInterface]?.stringValue
        legacyAddressText = Self.nonBlank(spec?["loadBalancerIP"]?.stringValue)
        let labels = metadata?["labels"]
        hasImplementationLabel = labels?[KubeVipKeys.implementationLabel]?.stringValue == KubeVipKeys.implementationValue
        hasLegacyAddressLabel = labels?[KubeVipKeys.legacyAddressLabel] != nil
        ports = (spec?["ports"]?.arrayValue ?? []).compactMap { port in
            guard let number = port["port"]?.intValue.flatMap({ UInt16(exactly: $0) }),
                let transport = TransportProtocol(kubernetesName: port["protocol"]?.stringValue ?? "TCP")
            else { return nil }
            return IPAM.ServicePort(transport, number)
        }
        familyPolicy = spec?["ipFamilyPolicy"]?.stringValue.flatMap(IPFamilyPolicy.init(rawValue:)) ?? .singleStack
        families = (spec?["ipFamilies"]?.arrayValue ?? []).compactMap {
            $0.stringValue.flatMap(IPFamily.init(kubernetesName:))
        }
        ingressAddresses = (service[path: "status", "loadBalancer", "ingress"]?.arrayValue ?? []).compactMap {
            $0["ip"]?.stringValue
        }
    }

    /// The same view from the typed model (tests and callers that already hold one).
    public init(_ service: KubernetesService) {
        self.init(json: (try? JSONValue(encoding: service)) ?? [:])
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

    /// `AddressRecord.parse`, with the field named in the problem.
    static func parseAddresses(_ text: String, field: String) -> Result<[IPAddress], RecordProblem> {
        AddressRecord.parse(text).mapError { unreadable in
            switch unreadable {
            case .entry(let entry): RecordProblem(field: field, value: text, entry: entry)
            case .tooManyOfAFamily: RecordProblem(field: field, value: text, entry: nil)
            }
        }
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
