import NetworkAddresses

/// The `kube-vip.io/loadbalancerIPs` text (and `spec.loadBalancerIP`) read back: the counterpart of
/// `Assignment.annotationValue`, shared by the allocator and `kube-vip status` so both read a record alike.
public enum AddressRecord {
    /// Why a record is not a list of addresses.
    public enum Unreadable: Error, Sendable, Hashable {
        /// This entry is not an address.
        case entry(String)
        /// More than one address of a family (or more than two in all).
        case tooManyOfAFamily
    }

    /// Comma-separated addresses, spaces and tabs around them tolerated (kube-vip accepts `a, b`; upstream's
    /// allocator did not), repeats dropped, at most one per family.
    public static func parse(_ text: String) -> Result<[IPAddress], Unreadable> {
        var addresses: [IPAddress] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = trimmingBlanks(part)
            guard let address = IPAddress(String(trimmed)) else { return .failure(.entry(String(trimmed))) }
            if !addresses.contains(address) { addresses.append(address) }
        }
        guard addresses.count <= 2, Set(addresses.map(\.family)).count == addresses.count else {
            return .failure(.tooManyOfAFamily)
        }
        return .success(addresses)
    }

    private static func trimmingBlanks(_ part: Substring) -> Substring {
        var slice = part
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
