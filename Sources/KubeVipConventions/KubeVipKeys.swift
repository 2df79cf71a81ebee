/// The annotation and label names on Services that kube-vip shares with upstream's node agent and cloud
/// provider: the same keys, so either half of this project can run beside the upstream other half and either
/// implementation can take a Service over from the other. One list for both roles and `kube-vip status`, so
/// that what one writes is what the others read.
public enum KubeVipKeys {
    // MARK: Written by the cloud provider, read by the node agent

    /// The allocation record: comma-separated addresses, primary family first.
    public static let loadBalancerIPs = "kube-vip.io/loadbalancerIPs"
    /// Copied from `interface-<ns>` / `interface-global` for the node agent.
    public static let serviceInterface = "kube-vip.io/serviceInterface"
    /// Marks the Services this allocator handles; upstream's in-use scan lists by it.
    public static let implementationLabel = "implementation"
    public static let implementationValue = "kube-vip"
    /// A label older upstream versions wrote and the legacy migration removes.
    public static let legacyAddressLabel = "ipam-address"
    /// The `spec.loadBalancerClass` both roles answer to unless told another (`lb_class_name`, `--lb-class`).
    public static let defaultLoadBalancerClass = "kube-vip.io/kube-vip-class"

    // MARK: Set by users, read by the node agent

    public static let ignore = "kube-vip.io/ignore"
    /// The Lease of per-Service election (`name` or `namespace/name`); see `ServiceLease`.
    public static let leaseName = "kube-vip.io/leaseName"
    public static let allowWithoutEndpoints = "kube-vip.io/allow-reconcile-without-endpoints"
    public static let forwardUPNP = "kube-vip.io/forwardUPNP"
    public static let upnpLeaseDuration = "kube-vip.io/upnp-lease-duration"
    public static let dhcpBroadcast = "kube-vip.io/dhcp-broadcast"
    public static let reversePathFilter = "kube-vip.io/rp_filter"
    public static let loadBalancerHostname = "kube-vip.io/loadbalancerHostname"

    // MARK: Written by the node agent

    /// The node that serves the Service's addresses.
    public static let vipHost = "kube-vip.io/vipHost"
    /// DHCP mode: the macvlan, its MAC address and the leased address, kept so a restarted agent (ours or
    /// upstream's) asks for the same lease.
    public static let macvlanName = "kube-vip.io/macvlanName"
    public static let hardwareAddress = "kube-vip.io/hwaddr"
    public static let requestedIP = "kube-vip.io/requestedIP"
}
