import Foundation
import KubernetesModels

/// Everything `kube-vip status` reads from a cluster, already fetched: the report is computed from these values
/// alone (and `now`, for Lease expiry), so every rule is a unit test and the command only does I/O.
public struct StatusInput: Sendable {
    /// What reading the kubevip ConfigMap gave.
    public enum ConfigMapState: Sendable, Hashable {
        case found([String: String])
        /// A missing ConfigMap is a state to report (no pools), not a failure to read the cluster.
        case missing
        /// The ConfigMap could not be read (typically RBAC); the report still shows Services and holders.
        case unreadable(String)
    }

    /// `KUBEVIP_NAMESPACE` / `KUBEVIP_CONFIG_MAP`, named in the report.
    public var configMapNamespace: String
    public var configMapName: String
    public var configMap: ConfigMapState
    /// Every Service of the cluster, whatever the namespace filter: addresses in use and conflicts are
    /// cluster-wide facts, only the listing is filtered.
    public var services: [KubernetesService]
    public var leases: [Lease]
    /// Events about Services (others are ignored).
    public var events: [Event]
    /// Only Services without `spec.loadBalancerClass` (nil, the default) or of exactly this class are
    /// kube-vip's, as the cloud-provider role decides (`KUBEVIP_ENABLE_LOADBALANCERCLASS`).
    public var loadBalancerClass: String?
    /// List only this namespace's Services (`-n`).
    public var namespaceFilter: String?
    /// The Lease of global election (`svc_election` off): its holder serves every Service without a Lease
    /// of its own.
    public var globalLeaseNamespace: String
    public var globalLeaseName: String
    /// Things that could not be read but did not stop the report (Leases or Events forbidden, ...).
    public var readProblems: [String]
    public var now: Date

    public init(
        configMapNamespace: String = "kube-system",
        configMapName: String = "kubevip",
        configMap: ConfigMapState,
        services: [KubernetesService],
        leases: [Lease] = [],
        events: [Event] = [],
        loadBalancerClass: String? = nil,
        namespaceFilter: String? = nil,
        globalLeaseNamespace: String = "kube-system",
        globalLeaseName: String = "plndr-svcs-lock",
        readProblems: [String] = [],
        now: Date
    ) {
        self.configMapNamespace = configMapNamespace
        self.configMapName = configMapName
        self.configMap = configMap
        self.services = services
        self.leases = leases
        self.events = events
        self.loadBalancerClass = loadBalancerClass
        self.namespaceFilter = namespaceFilter
        self.globalLeaseNamespace = globalLeaseNamespace
        self.globalLeaseName = globalLeaseName
        self.readProblems = readProblems
        self.now = now
    }
}
