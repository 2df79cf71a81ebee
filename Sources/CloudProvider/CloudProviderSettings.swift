import IPAM
import KubeVipConventions

/// What the cloud-provider role is told by its environment and flags.
public struct CloudProviderSettings: Sendable, Hashable {
    /// `KUBEVIP_NAMESPACE`, default `kube-system`.
    public var configMapNamespace = "kube-system"
    /// `KUBEVIP_CONFIG_MAP`, default `kubevip`.
    public var configMapName = "kubevip"
    /// `KUBEVIP_ENABLE_LOADBALANCERCLASS` with `KUBEVIP_CUSTOM_LOADBALANCERCLASS_NAME`.
    public var classSelection: ClassSelection = .unclassified
    /// `--write-status`: also fill `status.loadBalancer.ingress`, for setups without the node agent.
    public var writeStatus = false
    /// How many Service writes may be in flight at once.
    public var writeConcurrency = 16
    /// `source.host` of Events: which replica spoke.
    public var eventHost: String?

    public static let defaultClassName = KubeVipKeys.defaultLoadBalancerClass
    public static let fieldManager = "kube-vip-cloud-provider"
    public static let eventComponent = "kube-vip-cloud-provider"

    public init() {}

    /// Reads upstream's environment variables. An unreadable boolean is an error (upstream exits on it too),
    /// because silently ignoring `KUBEVIP_ENABLE_LOADBALANCERCLASS=yes` would serve the wrong Services.
    public init(environment: [String: String]) throws(SettingsError) {
        if let namespace = environment["KUBEVIP_NAMESPACE"], !namespace.isEmpty {
            configMapNamespace = namespace
        }
        if let name = environment["KUBEVIP_CONFIG_MAP"], !name.isEmpty {
            configMapName = name
        }
        if let text = environment["KUBEVIP_ENABLE_LOADBALANCERCLASS"], !text.isEmpty {
            guard let enabled = PoolConfiguration.parseBool(text) else {
                throw SettingsError(
                    message: "KUBEVIP_ENABLE_LOADBALANCERCLASS=\(text) is not a boolean (use true or false)")
            }
            if enabled {
                let name = environment["KUBEVIP_CUSTOM_LOADBALANCERCLASS_NAME"] ?? ""
                classSelection = .only(name.isEmpty ? Self.defaultClassName : name)
            }
        }
    }
}

public struct SettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
