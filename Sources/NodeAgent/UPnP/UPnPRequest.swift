import KubeVipConventions
import KubernetesClient
import UPnP

/// What a Service asks of the gateway: forward its ports, with mappings of this lease.
struct UPnPRequest: Sendable, Hashable {
    /// Seconds; 0 asks for permanent mappings (for routers that drop timed ones).
    var leaseDuration: UInt32
    /// What was wrong with the annotations (the default was used instead), for one Warning.
    var problems: [String]

    static let defaultLeaseDuration: UInt32 = 3600
    /// IGD:2 allows at most a week (604800 s); longer leases are refused by conforming gateways.
    static let maximumLeaseDuration: UInt32 = 604_800

    /// Nil when the Service does not opt in (`kube-vip.io/forwardUPNP` is not "true").
    static func read(annotations: [String: String]) -> UPnPRequest? {
        guard annotations[KubeVipKeys.forwardUPNP]?.trimmingCharacters(in: .whitespaces).lowercased() == "true" else {
            return nil
        }
        var problems: [String] = []
        var lease = defaultLeaseDuration
        if let text = annotations[KubeVipKeys.upnpLeaseDuration]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            switch GoDurationSyntax.seconds(text) {
            case .some(let seconds) where seconds < 0:
                problems.append("\(KubeVipKeys.upnpLeaseDuration)=\(text) is negative; using \(defaultLeaseDuration)s")
            case .some(let seconds) where seconds > Double(maximumLeaseDuration):
                lease = maximumLeaseDuration
                problems.append("\(KubeVipKeys.upnpLeaseDuration)=\(text) is longer than a week, the longest lease a gateway grants; using 604800s")
            case .some(let seconds):
                // A fraction of a second still asks for a lease, not for a permanent mapping.
                lease = seconds > 0 ? max(1, UInt32(seconds)) : 0
            case .none:
                problems.append("\(KubeVipKeys.upnpLeaseDuration)=\(text) is not a duration (e.g. 30m, 1h, 0s); using \(defaultLeaseDuration)s")
            }
        }
        return UPnPRequest(leaseDuration: lease, problems: problems)
    }
}

/// One Service port as the gateway forwards it: the same number outside as on the VIP.
struct ForwardedPort: Sendable, Hashable, Comparable, CustomStringConvertible {
    var port: UInt16
    var `protocol`: PortMappingProtocol

    static func < (lhs: ForwardedPort, rhs: ForwardedPort) -> Bool {
        (lhs.port, lhs.protocol.rawValue) < (rhs.port, rhs.protocol.rawValue)
    }

    var description: String { "\(`protocol`.rawValue) \(port)" }
}
