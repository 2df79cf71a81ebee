import NetworkAddresses

/// The addresses one scope may draw from, after parsing, `skip-end-ips-in-cidr` trimming and merging.
public struct PoolDefinition: Sendable, Equatable {
    public let scope: PoolScope
    /// `cidr-<scope>: 0.0.0.0/32`: Services get `0.0.0.0` and the node agent leases a real address by DHCP.
    public let isDHCP: Bool
    /// Member addresses per family, sorted, merged and disjoint (index 0: IPv4, 1: IPv6).
    let members: [[ClosedRange<UInt128>]]

    init(scope: PoolScope, isDHCP: Bool, ipv4: [ClosedRange<UInt128>], ipv6: [ClosedRange<UInt128>]) {
        self.scope = scope
        self.isDHCP = isDHCP
        self.members = [IntervalList.merged(ipv4), IntervalList.merged(ipv6)]
    }

    /// Member ranges of one family, lowest first.
    public func ranges(_ family: IPFamily) -> [ClosedRange<IPAddress>] {
        members[family.index].compactMap { range in
            guard let low = IPAddress(family: family, value: range.lowerBound),
                let high = IPAddress(family: family, value: range.upperBound)
            else { return nil }
            return low...high
        }
    }

    public func hasAddresses(_ family: IPFamily) -> Bool { !members[family.index].isEmpty }

    /// How many addresses of `family` can be handed out (members minus the IPv4 .0/.255 addresses and the
    /// IPv6 Subnet-Router anycast addresses). Fits in 128 bits even for the whole IPv6 space.
    public func capacity(_ family: IPFamily) -> UInt128 {
        var total: UInt128 = 0
        for range in members[family.index] {
            let (sum, overflow) = total.addingReportingOverflow(Allocatability.count(in: range, family))
            if overflow { return .max }
            total = sum
        }
        return total
    }

    public func contains(_ address: IPAddress) -> Bool {
        IntervalList.index(of: address.value, in: members[address.family.index]) != nil
    }

    /// Whether the allocator could hand `address` out from this pool.
    public func canAllocate(_ address: IPAddress) -> Bool {
        !isDHCP && !Allocatability.isSkipped(address.value, address.family) && contains(address)
    }
}

extension IPFamily {
    var index: Int { self == .ipv4 ? 0 : 1 }
}
