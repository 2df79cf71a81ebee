/// One problem found in the `kubevip` ConfigMap. Each bad entry yields one diagnostic and is left out;
/// everything else in the ConfigMap keeps working.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable, Comparable {
        /// The entry was ignored, or means something the user probably did not intend.
        case error
        /// The entry works, but not quite as written (for example host bits were cleared).
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .error && rhs == .warning }
    }

    public enum Reason: Sendable, Equatable {
        case unknownKey
        case invalidNamespace(String)
        case legacyKey
        case noEntries
        case badCIDR(String)
        case cidrExpected
        case badAddress(String)
        case rangeExpected
        case reversedRange
        case mixedFamilies
        case ipv4MappedAddress
        case hostBitsSet(network: String)
        case noAllocatableAddress
        case dhcpSentinelNotAlone
        case rangesIgnoredForDHCP(dhcpKey: String)
        case notBoolean
        case invalidSearchOrder
        case invalidInterfaceName(String)
    }

    /// The ConfigMap key the problem is in.
    public let key: String
    /// The offending list entry, when the problem is one entry of a comma list rather than the whole value.
    public let entry: String?
    public let reason: Reason

    public init(key: String, entry: String? = nil, reason: Reason) {
        self.key = key
        self.entry = entry
        self.reason = reason
    }

    public var severity: Severity {
        switch reason {
        case .legacyKey, .noEntries, .hostBitsSet, .noAllocatableAddress, .rangesIgnoredForDHCP: .warning
        default: .error
        }
    }

    public var message: String {
        switch reason {
        case .unknownKey:
            "unknown key; expected cidr-<namespace>, range-<namespace>, allow-share-<namespace>, "
                + "interface-<namespace> (or their -global forms), search-order or skip-end-ips-in-cidr"
        case .invalidNamespace(let name):
            "'\(name)' is not a valid namespace name (lowercase letters, digits and '-', at most 63 characters)"
        case .legacyKey: "legacy key, no longer used; ignored"
        case .noEntries: "no entries; this scope has an empty pool"
        case .badCIDR(let why): "not a CIDR: \(why)"
        case .cidrExpected: "expected a CIDR such as 192.0.2.0/24; ranges belong in a range-<namespace> key"
        case .badAddress(let why): "not an address range: \(why)"
        case .rangeExpected:
            "expected a range such as 192.0.2.10-192.0.2.20; CIDRs belong in a cidr-<namespace> key"
        case .reversedRange: "range start is after its end"
        case .mixedFamilies: "range mixes IPv4 and IPv6"
        case .ipv4MappedAddress: "IPv4-mapped IPv6 address; write the IPv4 address instead"
        case .hostBitsSet(let network): "host bits are set; using \(network)"
        case .noAllocatableAddress:
            "contains no address that can be handed out (never used: IPv4 addresses ending in .0 or .255, "
                + "IPv6 addresses with a zero interface identifier)"
        case .dhcpSentinelNotAlone:
            "0.0.0.0/32 (DHCP) must be the only entry of its key; ignored here"
        case .rangesIgnoredForDHCP(let dhcpKey): "ignored: \(dhcpKey) makes this namespace use DHCP"
        case .notBoolean: "not a boolean (use true or false); treated as unset"
        case .invalidSearchOrder: "search-order must be 'asc' or 'desc'; using asc"
        case .invalidInterfaceName(let why): "not an interface name: \(why)"
        }
    }

    public var description: String {
        if let entry {
            "\(severity.rawValue): \(key): entry \"\(entry)\": \(message)"
        } else {
            "\(severity.rawValue): \(key): \(message)"
        }
    }
}
