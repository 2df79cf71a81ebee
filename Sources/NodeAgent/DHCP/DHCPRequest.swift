import KubeVipConventions
import NetworkAddresses
import NetworkFrames

/// What a Service whose address is `0.0.0.0` asks of DHCP mode, read from its annotations alone.
///
/// Bad values are reported and replaced by the default rather than failing the Service: a typo in an
/// optional annotation should not cost it its address.
struct DHCPRequest: Sendable, Hashable {
    /// The macvlan interface (and the identity of the lease: Services naming the same macvlan share it).
    var macvlanName: String
    /// `kube-vip.io/hwaddr`, when it holds a usable unicast MAC.
    var hardwareAddress: MACAddress?
    /// The IPv4 address in `kube-vip.io/requestedIP`: what the last holder leased, asked for again with INIT-REBOOT.
    var rememberedAddress: IPAddress?
    var hostName: String?
    var broadcast: Bool
    var reversePathFilter: Int
    /// The annotations' texts as they are, so that the agent writes back only what differs.
    var hardwareAddressText: String?
    var requestedIPText: String?
    /// One line per annotation that could not be used, for a Warning Event.
    var problems: [String]

    static func read(annotations: [String: String], uid: String) -> DHCPRequest {
        var problems: [String] = []
        let defaultName = "vip-" + String(uid.prefix(8))
        var name = defaultName
        if let text = annotations[KubeVipKeys.macvlanName], !text.isEmpty {
            if let reason = Self.interfaceNameProblem(text) {
                problems.append("\(KubeVipKeys.macvlanName) \"\(text)\" \(reason); using \(defaultName)")
            } else {
                name = text
            }
        }
        var hardwareAddress: MACAddress?
        let hardwareText = annotations[KubeVipKeys.hardwareAddress]
        if let text = hardwareText, !text.isEmpty {
            if let mac = MACAddress(text), !mac.isMulticast, mac != .zero {
                hardwareAddress = mac
            } else {
                problems.append("\(KubeVipKeys.hardwareAddress) \"\(text)\" is not a unicast Ethernet address; using a generated one")
            }
        }
        let requestedText = annotations[KubeVipKeys.requestedIP]
        // Upstream writes "v4[,v6]"; only the IPv4 entry concerns this client.
        let remembered = requestedText?.split(separator: ",")
            .compactMap { IPAddress(String($0).trimmingCharacters(in: .whitespaces)) }
            .first { $0.family == .ipv4 && $0.value != 0 }
        var filter = 0
        if let text = annotations[KubeVipKeys.reversePathFilter], !text.isEmpty {
            if let value = Int(text), (0...2).contains(value) {
                filter = value
            } else {
                problems.append("\(KubeVipKeys.reversePathFilter) \"\(text)\" is not 0, 1 or 2; using 0")
            }
        }
        let hostName = annotations[KubeVipKeys.loadBalancerHostname].flatMap { $0.isEmpty ? nil : $0 }
        return DHCPRequest(
            macvlanName: name, hardwareAddress: hardwareAddress, rememberedAddress: remembered, hostName: hostName,
            broadcast: annotations[KubeVipKeys.dhcpBroadcast]?.lowercased() == "true", reversePathFilter: filter,
            hardwareAddressText: hardwareText, requestedIPText: requestedText, problems: problems)
    }

    /// Linux's rules for a link name (IFNAMSIZ and the characters `dev_valid_name` refuses).
    static func interfaceNameProblem(_ name: String) -> String? {
        if name.utf8.count > 15 { return "is longer than 15 bytes" }
        if name == "." || name == ".." { return "is not a valid interface name" }
        if name.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) {
            return "contains '/', ':' or whitespace"
        }
        return nil
    }

    /// The MAC a Service gets when it names none: derived from its UID, so every node computes the same one and a
    /// failover presents the same client to the DHCP server even when the first holder died before writing
    /// `kube-vip.io/hwaddr`. Locally administered and unicast; FNV-1a because Swift's `Hasher` is seeded per process.
    static func generatedHardwareAddress(uid: String) -> MACAddress {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in uid.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        var bytes = (0..<6).map { UInt8(truncatingIfNeeded: hash >> (8 * $0)) }
        bytes[0] = (bytes[0] & 0xFC) | 0x02
        return MACAddress(bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5])
    }
}
