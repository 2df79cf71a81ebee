import Foundation
import IPAM
import KubeVipConventions
import LeaderElection

/// What the node agent is told by upstream kube-vip's environment variables (the DaemonSet manifests set
/// these, so a drop-in must read the same names with the same defaults).
public struct AgentSettings: Sendable, Hashable {
    /// How Services are spread over nodes.
    public enum ElectionMode: Sendable, Hashable {
        /// One Lease (`svc_leasename`); its holder serves every Service.
        case global(namespace: String, name: String)
        /// `svc_election=true`: a Lease per Service (`kubevip-<name>` or `kube-vip.io/leaseName`).
        case perService
    }

    /// `vip_nodename`, else the host name, lower-cased: the Lease holder identity and the node matched
    /// against endpoints' `nodeName`.
    public var nodeName: String
    /// `vip_interface`; nil means "the interface whose subnet contains the address".
    public var interface: String?
    /// `vip_servicesinterface`: a name, `auto`, or nil for `vip_interface`.
    public var servicesInterface: String?
    public var election: ElectionMode
    /// `svc_namespace`: only Services of this namespace; nil for all.
    public var watchNamespace: String?
    /// `lb_class_name`, `lb_class_only`, `lb_class_legacy_handling`.
    public var className = KubeVipKeys.defaultLoadBalancerClass
    public var classOnly = false
    public var classLegacyHandling = true
    /// `vip_leaseduration`, `vip_renewdeadline`, `vip_retryperiod` (whole seconds, upstream's 15/10/2).
    public var leaseDuration: Duration = .seconds(15)
    public var renewDeadline: Duration = .seconds(10)
    public var retryPeriod: Duration = .seconds(2)
    /// `vip_arpRate` in milliseconds; under 500 means 3000, as upstream.
    public var announcementPeriod: Duration = .milliseconds(3000)
    /// `disable_service_updates`: advertise only, never write status or annotations.
    public var disableServiceUpdates = false
    /// `prometheus_server`, default `:2112`; empty turns the endpoint off.
    public var metricsAddress: String? = ":2112"
    /// `health_check_port`: a second port answering `/healthz`; nil when off (upstream's 0).
    public var healthCheckPort: Int?
    /// `k8s_config_file`: the kubeconfig to use instead of the default search.
    public var kubeconfigPath: String?
    /// `enable_upnp` (or the older `enableUPNP`, which upstream stopped reading in v1.0): forward the ports of
    /// Services annotated `kube-vip.io/forwardUPNP: "true"` on the network's UPnP Internet gateway.
    public var enableUPnP = false

    public static let defaultGlobalLease = "plndr-svcs-lock"
    public static let fieldManager = "kube-vip"
    public static let eventComponent = "kube-vip"

    public init(nodeName: String, election: ElectionMode = .global(namespace: "kube-system", name: defaultGlobalLease)) {
        self.nodeName = nodeName
        self.election = election
    }

    /// Reads the environment as upstream's `manager` does. Unreadable values are errors rather than
    /// defaults: `svc_election=yes` silently read as false would change which node serves what.
    ///
    /// - Parameters:
    ///   - hostName: the fallback node name.
    ///   - podNamespace: the namespace of the pod's service account (the global Lease lives there), if known.
    public init(environment: [String: String], hostName: String, podNamespace: String? = nil) throws(SettingsError) {
        func text(_ key: String) -> String? {
            guard let value = environment[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func flag(_ key: String, default fallback: Bool = false) throws(SettingsError) -> Bool {
            guard let value = text(key) else { return fallback }
            guard let parsed = PoolConfiguration.parseBool(value) else {
                throw SettingsError("\(key)=\(value) is not a boolean (use true or false)")
            }
            return parsed
        }
        func seconds(_ key: String, default fallback: Int) throws(SettingsError) -> Duration {
            guard let value = text(key) else { return .seconds(fallback) }
            guard let number = Int(value), number > 0 else {
                throw SettingsError("\(key)=\(value) is not a positive whole number of seconds")
            }
            return .seconds(number)
        }

        guard try flag("svc_enable") else {
            throw SettingsError(
                "svc_enable is not true: this node agent serves LoadBalancer Services only (the control-plane VIP, cp_enable, is not implemented)")
        }
        guard try flag("vip_arp") else {
            throw SettingsError(
                "vip_arp is not true: ARP/NDP is the only advertisement mode implemented (no BGP, routing table or WireGuard)")
        }
        for unsupported in ["bgp_enable", "vip_routingtable", "vip_wireguard", "cp_enable"] where try flag(unsupported) {
            throw SettingsError("\(unsupported)=true is not supported by this node agent")
        }

        let name = text("vip_nodename") ?? hostName
        self.init(nodeName: name.lowercased())
        interface = text("vip_interface")
        servicesInterface = text("vip_servicesinterface")
        watchNamespace = text("svc_namespace")
        if let className = environment["lb_class_name"] {
            // An explicitly empty class name is meaningful upstream (non-legacy: "no class" matches).
            self.className = className.trimmingCharacters(in: .whitespaces)
        }
        classOnly = try flag("lb_class_only")
        classLegacyHandling = try flag("lb_class_legacy_handling", default: true)
        leaseDuration = try seconds("vip_leaseduration", default: 15)
        renewDeadline = try seconds("vip_renewdeadline", default: 10)
        retryPeriod = try seconds("vip_retryperiod", default: 2)
        if let value = text("vip_arpRate") {
            guard let milliseconds = Int(value) else {
                throw SettingsError("vip_arpRate=\(value) is not a whole number of milliseconds")
            }
            announcementPeriod = .milliseconds(milliseconds < 500 ? 3000 : milliseconds)
        }
        disableServiceUpdates = try flag("disable_service_updates")
        if let address = environment["prometheus_server"] {
            metricsAddress = address.isEmpty ? nil : address
        }
        if let value = text("health_check_port") {
            guard let port = Int(value), port == 0 || (1024...65535).contains(port) else {
                throw SettingsError("health_check_port=\(value) must be 0 (off) or a port from 1024 to 65535")
            }
            healthCheckPort = port == 0 ? nil : port
        }
        kubeconfigPath = text("k8s_config_file")
        let upnp = try flag("enable_upnp")
        let upnpOldName = try flag("enableUPNP")
        enableUPnP = upnp || upnpOldName

        if try flag("svc_election") {
            election = .perService
        } else {
            let leaseName = text("svc_leasename") ?? Self.defaultGlobalLease
            let fallbackNamespace = podNamespace ?? text("cp_namespace") ?? "kube-system"
            let parts = leaseName.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty {
                election = .global(namespace: String(parts[0]), name: String(parts[1]))
            } else if parts.count == 1 {
                election = .global(namespace: fallbackNamespace, name: leaseName)
            } else {
                throw SettingsError("svc_leasename=\(leaseName) must be a name or namespace/name")
            }
        }
        // client-go's rule: a node must stop announcing before its Lease can expire for the others.
        do {
            try electionConfiguration(namespace: "kube-system", name: Self.defaultGlobalLease).validate()
        } catch {
            throw SettingsError("vip_leaseduration, vip_renewdeadline, vip_retryperiod: \(error.message)")
        }
    }

    /// The election timing for one Lease.
    func electionConfiguration(namespace: String, name: String) -> LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            leaseName: name, namespace: namespace, identity: nodeName, leaseDuration: leaseDuration,
            renewDeadline: renewDeadline, retryPeriod: retryPeriod)
    }

    /// The interface a Service's address goes on when its annotation names none.
    var defaultInterface: InterfaceChoice {
        InterfaceChoice(servicesInterface ?? interface)
    }
}

extension InterfaceChoice {
    /// `auto` (or nothing) picks the link whose subnet contains the address.
    init(_ name: String?) {
        guard let name, !name.isEmpty, name != "auto" else {
            self = .auto
            return
        }
        self = .named(name)
    }
}

public struct SettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
