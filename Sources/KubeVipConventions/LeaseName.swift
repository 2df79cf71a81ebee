/// A Lease by namespace and name.
public struct LeaseName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public static func < (lhs: LeaseName, rhs: LeaseName) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    public var description: String { "\(namespace)/\(name)" }
}

/// Which Lease a Service's address is elected under with `svc_election`, as upstream names it. The node agent
/// holds it and `kube-vip status` reads its holder, so both take the rule from here.
public enum ServiceLease {
    /// `kubevip-<service>` in the Service's namespace, unless the Service names another with
    /// `kube-vip.io/leaseName`. With externalTrafficPolicy Local the annotation does not apply: only nodes
    /// with a local endpoint may hold the address, so it cannot share a Lease with other Services.
    public static func of(
        namespace: String, name: String, annotations: [String: String], localTraffic: Bool
    ) -> LeaseName {
        if !localTraffic, let named = annotated(annotations[KubeVipKeys.leaseName], namespace: namespace) {
            return named
        }
        return LeaseName(namespace: namespace, name: "kubevip-\(name)")
    }

    /// The Lease `kube-vip.io/leaseName` names (`name` in the Service's namespace, or `namespace/name`); nil
    /// when it is absent or not of either form.
    public static func annotated(_ text: String?, namespace: String) -> LeaseName? {
        guard let text else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1 where !parts[0].isEmpty: return LeaseName(namespace: namespace, name: parts[0])
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty: return LeaseName(namespace: parts[0], name: parts[1])
        default: return nil
        }
    }
}
