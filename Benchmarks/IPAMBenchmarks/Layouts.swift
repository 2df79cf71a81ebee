import IPAM
import NetworkAddresses

/// The pool layouts of the peer benchmark (`/work/shared/reference/peer-bench.md`) as `kubevip` ConfigMaps,
/// and the Services that are allocated into them.
///
/// Every layout has 50 namespaces `ns-00` … `ns-49`; the even namespace `ns-2k` (k = 0 … 24) has a pool of
/// its own, the odd ones draw from the global pool.
enum Layout: Sendable, CustomStringConvertible {
    /// The peer "overlap" layout: global `10.0.0.0/16`; `ns-2k` = `10.0.(8k).0/21,10.0.(8k+8).0/21`, so
    /// neighbouring namespace pools overlap by half and all of them lie inside the global pool.
    ///
    /// Without duplicates this layout cannot hold the peer's larger N: the global pool's lowest free address
    /// lies in `ns-00`'s pool, so the odd namespaces' Services fill it from the bottom and `ns-00` has nothing
    /// left from Service 7,550 on (49 refusals at N = 10,000, 588 at 20,000). Upstream kube-vip "succeeds" there
    /// only by handing those addresses out a second time.
    case overlap
    /// The overlap layout scaled ×16 so that 100,000 Services fit: every prefix is four bits shorter. Global
    /// `10.0.0.0/12` (1,048,576 addresses); `ns-2k` = the /17s number k and k+1 counted from `10.0.0.0`
    /// (`10.0.0.0/17,10.0.128.0/17` for ns-00, …, `10.12.0.0/17,10.12.128.0/17` for ns-48), 65,536 addresses
    /// each (65,024 allocatable), overlapping the neighbour by half, together `10.0.0.0 – 10.12.255.255`
    /// inside the global pool: the shape of `overlap` with every block sixteen times larger.
    ///
    /// Why ×16 and not less: the global pool hands out its lowest free address, which lies inside the lowest
    /// namespace pools, so the odd namespaces' Services (half of all) drain `ns-00`'s pool from the bottom.
    /// Measured at N = 100,000: ×4 (`/14` global, `/19` blocks, 16,256 allocatable in `ns-00`) runs `ns-00` dry
    /// at Service 30,150 (4,405 refusals), ×8 at Service 60,250 (1,033 refusals); ×16 fits, with 54,000 of
    /// `ns-00`'s 65,024 addresses held.
    case overlapScaled
    /// `overlap` plus IPv6 in the same shape, for PreferDualStack: global also gets `2001:db8::/56`, `ns-2k`
    /// also gets `2001:db8:0:k::/64,2001:db8:0:(k+1)::/64` (k in hex), so the IPv6 namespace pools overlap
    /// their neighbours by half and all lie inside the global IPv6 pool, like the IPv4 ones.
    case overlapDualStack
    /// The peer "disjoint" layout: global `10.0.200.0/21,10.0.208.0/20,10.0.224.0/19` (the range
    /// `10.0.200.0 – 10.0.255.255`, as kube-vip was given it); `ns-2k` = the single `10.0.(8k).0/21`.
    case disjoint

    static let namespaceCount = 50

    var description: String {
        switch self {
        case .overlap: "overlap"
        case .overlapScaled: "overlap-x16"
        case .overlapDualStack: "overlap-dual"
        case .disjoint: "disjoint"
        }
    }

    /// The ConfigMap data; `sharing` adds `allow-share-global: true`.
    func configMap(sharing: Bool = false) -> [String: String] {
        var data: [String: String] = [:]
        let base: UInt32 = 10 << 24  // 10.0.0.0
        switch self {
        case .overlap, .overlapScaled, .overlapDualStack:
            // One block is a /21 (a /17 when scaled); ns-2k owns blocks k and k+1.
            let blockPrefix = self == .overlapScaled ? 17 : 21
            let globalPrefix = self == .overlapScaled ? 12 : 16
            let blockSize = UInt32(1) << (32 - blockPrefix)
            data["cidr-global"] = Self.cidr(base, globalPrefix)
            for k in 0..<25 {
                let low = base + UInt32(k) * blockSize
                var value = "\(Self.cidr(low, blockPrefix)),\(Self.cidr(low + blockSize, blockPrefix))"
                if self == .overlapDualStack {
                    let hex = { (n: Int) in String(n, radix: 16) }
                    value += ",2001:db8:0:\(hex(k))::/64,2001:db8:0:\(hex(k + 1))::/64"
                }
                data["cidr-\(Self.namespace(2 * k))"] = value
            }
            if self == .overlapDualStack {
                data["cidr-global"]! += ",2001:db8::/56"
            }
        case .disjoint:
            data["cidr-global"] = "10.0.200.0/21,10.0.208.0/20,10.0.224.0/19"
            for k in 0..<25 {
                data["cidr-\(Self.namespace(2 * k))"] = Self.cidr(base + UInt32(k) << 11, 21)
            }
        }
        if sharing {
            data["allow-share-global"] = "true"
        }
        return data
    }

    /// The parsed configuration; stops the benchmark when the ConfigMap does not parse cleanly.
    func configuration(sharing: Bool = false) -> PoolConfiguration {
        let configuration = PoolConfiguration(data: configMap(sharing: sharing))
        require(
            configuration.diagnostics.isEmpty,
            "\(self) layout does not parse cleanly: \(configuration.diagnostics.map(\.description))")
        require(configuration.pools.count == 26, "\(self) layout has \(configuration.pools.count) pools, not 26")
        return configuration
    }

    var familyPolicy: IPFamilyPolicy { self == .overlapDualStack ? .preferDualStack : .singleStack }

    var families: [IPFamily] { self == .overlapDualStack ? [.ipv4, .ipv6] : [.ipv4] }

    /// The peer's Services: Service j is `svc-%05d` in `ns-(j mod 50)`, one port TCP/80, nothing requested.
    func requests(count: Int) -> [AddressRequest] {
        (0..<count).map { j in
            AddressRequest(
                service: Self.service(j), ports: [ServicePort(.tcp, 80)], familyPolicy: familyPolicy,
                families: families)
        }
    }

    static func service(_ j: Int) -> ServiceKey {
        ServiceKey(namespace: namespace(j % namespaceCount), name: "svc-\(padded(j, 5))")
    }

    static func namespace(_ index: Int) -> String { "ns-\(padded(index, 2))" }

    /// Service N-1's address on the disjoint layout under lowest-free allocation, as upstream computes it
    /// (`count` a multiple of 50): Service N-1 is in ns-49, the (N/2)-th Service of the global pool, which
    /// starts at 10.0.200.0 and skips every .0 and .255 (254 addresses per /24). 10.0.239.94 for 20,000.
    static func disjointLast(_ count: Int) -> IPAddress {
        let index = UInt32(count / 2 - 1)
        return IPAddress(ipv4: (10 << 24 | 200 << 8) + index / 254 * 256 + index % 254 + 1)
    }

    static func cidr(_ address: UInt32, _ prefix: Int) -> String { "\(IPAddress(ipv4: address))/\(prefix)" }
}

/// `n` in decimal, zero-padded to at least `width` digits.
func padded(_ n: Int, _ width: Int) -> String {
    let digits = String(n)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

extension Layout {
    /// Services for the allow-share runs: Service j as in ``requests(count:)``, with 1–3 distinct ports, each
    /// TCP or UDP with a number drawn from `portNumbers`, all from a fixed-seed generator.
    func sharingRequests(count: Int, portNumbers: ClosedRange<Int>, seed: UInt64) -> [AddressRequest] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { j in
            let wanted = random.next(in: 1...3)
            var ports: [ServicePort] = []
            while ports.count < wanted {
                let transport: TransportProtocol = random.next(below: 2) == 0 ? .tcp : .udp
                let port = ServicePort(transport, UInt16(random.next(in: portNumbers)))
                if !ports.contains(port) { ports.append(port) }
            }
            return AddressRequest(service: Self.service(j), ports: ports, families: [.ipv4])
        }
    }
}
