import NetworkAddresses

/// Collects the entries of one scope's `cidr-` and `range-` keys, reporting each bad entry.
struct PoolBuilder {
    private var ranges: [[ClosedRange<UInt128>]] = [[], []]
    private var dhcpKey: String?
    private var rangeKeys: [String] = []
    private var diagnostics: [Diagnostic] = []

    /// The DHCP sentinel, compared after trimming; upstream compares the raw value.
    static let dhcpSentinel = "0.0.0.0/32"

    mutating func addCIDRs(key: String, value: String, skipEnds: Bool) {
        let entries = Self.entries(of: value, key: key, diagnostics: &diagnostics)
        for entry in entries {
            if entry == Self.dhcpSentinel {
                if entries.count == 1 {
                    dhcpKey = key
                } else {
                    diagnostics.append(Diagnostic(key: key, entry: String(entry), reason: .dhcpSentinelNotAlone))
                }
                continue
            }
            if entry.contains("-") && !entry.contains("/") {
                diagnostics.append(Diagnostic(key: key, entry: String(entry), reason: .cidrExpected))
                continue
            }
            switch CIDR.parse(entry) {
            case .failure(let error):
                diagnostics.append(Diagnostic(key: key, entry: String(entry), reason: .badCIDR(error.description)))
            case .success(let cidr):
                if cidr.address.isIPv4Mapped {
                    diagnostics.append(Diagnostic(key: key, entry: String(entry), reason: .ipv4MappedAddress))
                    continue
                }
                if cidr.hasHostBits {
                    let network = "\(cidr.network)/\(cidr.prefixLength)"
                    diagnostics.append(
                        Diagnostic(key: key, entry: String(entry), reason: .hostBitsSet(network: network)))
                }
                var low = cidr.network.value
                var high = cidr.lastAddress.value
                // Upstream trims only IPv4 and keeps /31 and /32 whole (RFC 3021 point-to-point prefixes).
                if skipEnds && cidr.address.family == .ipv4 && cidr.prefixLength < 31 {
                    low += 1
                    high -= 1
                }
                add(low...high, family: cidr.address.family, key: key, entry: entry)
            }
        }
    }

    mutating func addRanges(key: String, value: String) {
        rangeKeys.append(key)
        for entry in Self.entries(of: value, key: key, diagnostics: &diagnostics) {
            let parts = entry.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count <= 2 else {
                diagnostics.append(
                    Diagnostic(key: key, entry: String(entry), reason: .badAddress("more than one '-'")))
                continue
            }
            if parts.count == 1 && entry.contains("/") {
                diagnostics.append(Diagnostic(key: key, entry: String(entry), reason: .rangeExpected))
                continue
            }
            // A single address is accepted as a range of one.
            let startText = parts[0].trimmingWhitespace()
            let endText = (parts.count == 2 ? parts[1] : parts[0]).trimmingWhitespace()
            let start: IPAddress
            let end: IPAddress
            switch (IPAddress.parse(startText), IPAddress.parse(endText)) {
            case (.failure(let error), _):
                let why = parts.count == 2 ? "start: \(error.description)" : error.description
                diagnostics.append(Diagnostic(key: key, entry: String(entry), reason: .badAddress(why)))
                continue
            case (_, .failure(let error)):
                diagnostics.append(
                    Diagnostic(key: key, entry: String(entry), reason: .badAddress("end: \(error.description)")))
                continue
            case (.success(let a), .success(let b)):
                start = a
                end = b
            }
            if start.family != end.family {
                diagnostics.append(Diagnostic(key: key, entry: String(entry), reason: .mixedFamilies))
            } else if start.isIPv4Mapped || end.isIPv4Mapped {
                diagnostics.append(Diagnostic(key: key, entry: String(entry), reason: .ipv4MappedAddress))
            } else if start > end {
                diagnostics.append(Diagnostic(key: key, entry: String(entry), reason: .reversedRange))
            } else {
                add(start.value...end.value, family: start.family, key: key, entry: entry)
            }
        }
    }

    private mutating func add(_ range: ClosedRange<UInt128>, family: IPFamily, key: String, entry: Substring) {
        if Allocatability.count(in: range, family) == 0 {
            diagnostics.append(Diagnostic(key: key, entry: String(entry), reason: .noAllocatableAddress))
        }
        ranges[family.index].append(range)
    }

    func build(scope: PoolScope) -> (PoolDefinition, [Diagnostic]) {
        var diagnostics = self.diagnostics
        if let dhcpKey {
            for key in rangeKeys {
                diagnostics.append(Diagnostic(key: key, reason: .rangesIgnoredForDHCP(dhcpKey: dhcpKey)))
            }
            return (PoolDefinition(scope: scope, isDHCP: true, ipv4: [], ipv6: []), diagnostics)
        }
        return (PoolDefinition(scope: scope, isDHCP: false, ipv4: ranges[0], ipv6: ranges[1]), diagnostics)
    }

    /// Splits a list on commas and newlines (so YAML block scalars work too) and trims each entry.
    static func entries(of value: String, key: String, diagnostics: inout [Diagnostic]) -> [Substring] {
        let entries = value.split { $0 == "," || $0 == "\n" }.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        if entries.isEmpty {
            diagnostics.append(Diagnostic(key: key, entry: value, reason: .noEntries))
        }
        return entries
    }
}
