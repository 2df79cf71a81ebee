import IPAM
import NetworkAddresses
import UPnP

/// The ports of one served Service that the gateway should forward to its address: what a `PortForwarder` keeps
/// mapped for as long as this node holds the address.
struct PortForwarding: Sendable, Hashable {
    var service: ServiceKey
    /// The VIP the gateway forwards to. Requests come from it too: a gateway in secure mode only maps ports for
    /// the address that asks, and the VIP stays the same when another node takes over.
    var internalClient: IPAddress
    /// The link the address is on, where discovery asks.
    var interface: String
    var ports: [ForwardedPort]
    var leaseDuration: UInt32
    /// The node holding the address, in the mapping's description: a node that lost the address must not delete
    /// a mapping its successor has refreshed since.
    var node: String

    /// What the gateway shows for the mapping (`upnpc -l`, the router's web page): the Service, and who mapped it.
    var mappingDescription: String { "kube-vip \(service) \(node)" }
}

/// What a port forwarder reports to the agent's loop.
enum UPnPEvent: Sendable, Hashable {
    /// These ports are mapped on the gateway, whose external address is `externalAddress`; sent whenever that
    /// changes (empty `ports`: none could be mapped).
    case forwarded(ServiceKey, gateway: String, externalAddress: IPAddress?, ports: [ForwardedPort], leaseDuration: UInt32)
    /// Something the user should hear of as a Warning Event: no gateway, a conflicting mapping, a refusal.
    case problem(ServiceKey, reason: String, message: String)
}

extension UPnPEvent {
    var service: ServiceKey {
        switch self {
        case .forwarded(let key, _, _, _, _), .problem(let key, _, _): key
        }
    }
}
