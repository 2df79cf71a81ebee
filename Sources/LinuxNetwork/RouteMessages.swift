import CNetlink
import Glibc
import NetworkAddresses
import NetworkDriver
import NetworkFrames

/// Decoding of the rtnetlink messages the driver reads, and encoding of addresses into requests.
enum RouteMessages {
    /// An RTM_NEWLINK message as a link; nil for anything that is not a complete link message.
    static func link(from message: UnsafePointer<nlmsghdr>) -> NetworkLink? {
        guard message.pointee.nlmsg_type == UInt16(RTM_NEWLINK),
            Int(message.pointee.nlmsg_len) >= MemoryLayout<nlmsghdr>.size + MemoryLayout<ifinfomsg>.size,
            let payload = mnl_nlmsg_get_payload(message)
        else { return nil }
        let info = payload.loadUnaligned(as: ifinfomsg.self)
        var name: String?
        var hardwareAddress: MACAddress?
        var kind: String?
        var link: Int32?
        var linkInOtherNamespace = false
        forEachAttribute(of: message, headerSize: MemoryLayout<ifinfomsg>.size) { attribute in
            let bytes = attributeBytes(attribute)
            switch Int32(mnl_attr_get_type(attribute)) {
            case Int32(IFLA_IFNAME):
                name = string(bytes)
            case Int32(IFLA_ADDRESS):
                // Only Ethernet links have an Ethernet address; loopback reports six zero bytes.
                if info.ifi_type == UInt16(ARPHRD_ETHER), bytes.count == 6 {
                    hardwareAddress = MACAddress(bytes: bytes)
                }
            case Int32(IFLA_LINK) where bytes.count == 4:
                link = bytes.loadUnaligned(as: Int32.self)
            case Int32(IFLA_LINK_NETNSID):
                linkInOtherNamespace = true
            case Int32(IFLA_LINKINFO):
                kind = linkKind(in: attribute)
            default:
                break
            }
        }
        guard let name else { return nil }
        return NetworkLink(
            index: info.ifi_index,
            name: name,
            hardwareAddress: hardwareAddress,
            isUp: info.ifi_flags & UInt32(IFF_UP.rawValue) != 0,
            isLoopback: info.ifi_flags & UInt32(IFF_LOOPBACK.rawValue) != 0,
            kind: kind,
            parent: linkInOtherNamespace || link == info.ifi_index || link == 0 ? nil : link)
    }

    /// IFLA_INFO_KIND inside an IFLA_LINKINFO attribute.
    private static func linkKind(in linkInfo: UnsafePointer<nlattr>) -> String? {
        var kind: String?
        forEachNestedAttribute(of: linkInfo) { attribute in
            if Int32(mnl_attr_get_type(attribute)) == Int32(IFLA_INFO_KIND) {
                kind = string(attributeBytes(attribute))
            }
        }
        return kind
    }

    /// A NUL-terminated string attribute.
    private static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An RTM_NEWADDR or RTM_DELADDR message as an address; nil for other families or malformed ones.
    static func address(from message: UnsafePointer<nlmsghdr>) -> LinkAddress? {
        let type = message.pointee.nlmsg_type
        guard type == UInt16(RTM_NEWADDR) || type == UInt16(RTM_DELADDR),
            Int(message.pointee.nlmsg_len) >= MemoryLayout<nlmsghdr>.size + MemoryLayout<ifaddrmsg>.size,
            let payload = mnl_nlmsg_get_payload(message)
        else { return nil }
        let header = payload.loadUnaligned(as: ifaddrmsg.self)
        let family: IPFamily
        switch Int32(header.ifa_family) {
        case AF_INET: family = .ipv4
        case AF_INET6: family = .ipv6
        default: return nil
        }
        var local: IPAddress?
        var address: IPAddress?
        var flags = UInt32(header.ifa_flags)
        forEachAttribute(of: message, headerSize: MemoryLayout<ifaddrmsg>.size) { attribute in
            let bytes = attributeBytes(attribute)
            switch Int32(mnl_attr_get_type(attribute)) {
            case Int32(IFA_LOCAL): local = ipAddress(bytes, family: family)
            case Int32(IFA_ADDRESS): address = ipAddress(bytes, family: family)
            case Int32(IFA_FLAGS) where bytes.count == 4: flags = bytes.loadUnaligned(as: UInt32.self)
            default: break
            }
        }
        // IFA_LOCAL is the host's own address; IFA_ADDRESS is the peer on point-to-point links and
        // the only one present for ordinary IPv6 addresses.
        guard let own = local ?? address, Int(header.ifa_prefixlen) <= family.bitWidth else { return nil }
        return LinkAddress(
            link: Int32(bitPattern: header.ifa_index),
            address: own,
            prefixLength: Int(header.ifa_prefixlen),
            duplicateDetected: flags & UInt32(IFA_F_DADFAILED) != 0)
    }

    static func ipAddress(_ bytes: UnsafeRawBufferPointer, family: IPFamily) -> IPAddress? {
        guard bytes.count == family.bitWidth / 8 else { return nil }
        var value: UInt128 = 0
        for byte in bytes { value = value << 8 | UInt128(byte) }
        return IPAddress(family: family, value: value)
    }

    /// The address in network byte order, as IFA_LOCAL/IFA_ADDRESS carry it.
    static func bytes(of address: IPAddress) -> [UInt8] {
        let count = address.family.bitWidth / 8
        return (0..<count).map { index in UInt8(truncatingIfNeeded: address.value >> (8 * (count - 1 - index))) }
    }
}
