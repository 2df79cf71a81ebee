import NetworkAddresses
import NetworkDriver
import NetworkFrames

/// A link an address can be announced on, with the Ethernet address its frames come from.
struct SelectedLink: Sendable, Hashable {
    var link: NetworkLink
    var hardwareAddress: MACAddress
}

/// Why no link could be chosen, in words for the operator.
struct LinkUnavailable: Error, Sendable, Hashable {
    var reason: String
}

/// Picks the link for an address from the namespace's links and addresses. A pure function, so that every
/// rule is testable without a driver.
enum LinkSelection {
    static func select(
        _ choice: InterfaceChoice, for address: IPAddress, links: [NetworkLink], addresses: [LinkAddress]
    ) -> Result<SelectedLink, LinkUnavailable> {
        switch choice {
        case .named(let name):
            guard let link = links.first(where: { $0.name == name }) else {
                return .failure(LinkUnavailable(reason: "there is no link named \(name)"))
            }
            return usable(link)
        case .auto:
            return automatic(for: address, links: links, addresses: addresses)
        }
    }

    /// The link holding the most specific subnet that contains the address. Host addresses (/32, /128,
    /// including VIPs this node already holds) and IPv6 link-local prefixes say nothing about which
    /// segment the address belongs to, so they are skipped.
    private static func automatic(
        for address: IPAddress, links: [NetworkLink], addresses: [LinkAddress]
    ) -> Result<SelectedLink, LinkUnavailable> {
        let subnets = addresses.filter { candidate in
            guard candidate.address.family == address.family,
                candidate.prefixLength < address.family.bitWidth,
                !candidate.address.isIPv6LinkLocal, !candidate.duplicateDetected,
                let subnet = CIDR(address: candidate.address, prefixLength: candidate.prefixLength)
            else { return false }
            return subnet.contains(address)
        }
        .sorted { ($0.prefixLength, -$0.link) > ($1.prefixLength, -$1.link) }
        var refusals: [String] = []
        for subnet in subnets {
            guard let link = links.first(where: { $0.index == subnet.link }) else { continue }
            switch usable(link) {
            case .success(let selected): return .success(selected)
            case .failure(let refusal): refusals.append(refusal.reason)
            }
        }
        if refusals.isEmpty {
            return .failure(LinkUnavailable(reason: "no link has a subnet containing \(address)"))
        }
        return .failure(LinkUnavailable(reason: refusals.joined(separator: "; ")))
    }

    private static func usable(_ link: NetworkLink) -> Result<SelectedLink, LinkUnavailable> {
        guard link.isUp else {
            return .failure(LinkUnavailable(reason: "link \(link.name) is down"))
        }
        guard !link.isLoopback, let hardwareAddress = link.hardwareAddress else {
            return .failure(LinkUnavailable(reason: "link \(link.name) has no Ethernet address"))
        }
        return .success(SelectedLink(link: link, hardwareAddress: hardwareAddress))
    }
}

extension IPAddress {
    /// fe80::/10.
    var isIPv6LinkLocal: Bool {
        family == .ipv6 && value >> 118 == 0x3FA
    }
}
