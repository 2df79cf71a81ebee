import NetworkAddresses
import NetworkDriver
import NetworkFrames

/// One DHCP lease this node has become responsible for: a macvlan on `parent` with its own MAC, and the
/// client that leases an address for it.
struct DHCPClaim: Sendable, Hashable {
    /// The macvlan's name, which identifies the claim (Services naming the same macvlan share its lease).
    var name: String
    var parent: InterfaceChoice
    var hardwareAddress: MACAddress
    var hostName: String?
    var broadcast: Bool
    var reversePathFilter: Int
    /// The address to ask for again with INIT-REBOOT. Not part of the claim's identity: writing the leased
    /// address back to the Service must not restart the client that leased it.
    var rememberedAddress: IPAddress?

    /// Whether `other` needs a different client (anything but the remembered address differs).
    func differs(from other: DHCPClaim) -> Bool {
        var normalised = other
        normalised.rememberedAddress = rememberedAddress
        return normalised != self
    }
}

/// What a lease keeper reports to the agent's loop.
enum DHCPEvent: Sendable, Hashable {
    /// An address is leased (new, renewed, or changed): serve it.
    case bound(name: String, address: IPAddress, server: IPAddress, leaseTime: Duration)
    /// The address must not be served any more (expired, refused on renewal, released).
    case lost(name: String, address: IPAddress, reason: String)
    /// The offered address answered an ARP probe from another host; it was declined.
    case declined(name: String, address: IPAddress, owner: MACAddress)
    /// The macvlan or its socket could not be set up; retried until the claim is withdrawn.
    case failed(name: String, reason: String)
}

extension LinkSelection {
    /// The link a DHCP macvlan sits on. `.auto` (no `vip_interface`, no `kube-vip.io/serviceInterface`) has no
    /// address to match a subnet against, so it takes the first up Ethernet link with an IPv4 subnet that is not
    /// itself a macvlan (lowest index first: the node's primary interface on ordinary hosts).
    static func parent(for choice: InterfaceChoice, links: [NetworkLink], addresses: [LinkAddress])
        -> Result<SelectedLink, LinkUnavailable>
    {
        if case .named = choice {
            return select(choice, for: .ipv4Unspecified, links: links, addresses: addresses)
        }
        let withSubnet = Set(
            addresses.filter { $0.address.family == .ipv4 && $0.prefixLength < 32 }.map(\.link))
        let candidates = links.filter {
            withSubnet.contains($0.index) && $0.isUp && !$0.isLoopback && $0.hardwareAddress != nil && $0.kind != "macvlan"
        }
        guard let link = candidates.min(by: { $0.index < $1.index }), let mac = link.hardwareAddress else {
            return .failure(LinkUnavailable(reason: "no up Ethernet link with an IPv4 subnet to put the macvlan on"))
        }
        return .success(SelectedLink(link: link, hardwareAddress: mac))
    }
}

extension DHCPEvent {
    var name: String {
        switch self {
        case .bound(let name, _, _, _), .lost(let name, _, _), .declined(let name, _, _), .failed(let name, _): name
        }
    }
}
