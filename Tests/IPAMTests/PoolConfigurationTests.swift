import NetworkAddresses
import Testing

@testable import IPAM

private func ranges(_ configuration: PoolConfiguration, _ scope: PoolScope, _ family: IPFamily = .ipv4) -> [String] {
    configuration.pools[scope]?.ranges(family).map { "\($0.lowerBound)-\($0.upperBound)" } ?? []
}

private func reasons(_ configuration: PoolConfiguration) -> [Diagnostic.Reason] {
    configuration.diagnostics.map(\.reason)
}

@Suite("ConfigMap keys")
struct PoolConfigurationKeyTests {
    @Test func namespaceCIDRDefinesThatNamespacesPool() {
        let configuration = PoolConfiguration(data: ["cidr-default": "192.0.2.200/29"])
        #expect(ranges(configuration, .namespace("default")) == ["192.0.2.200-192.0.2.207"])
        #expect(configuration.diagnostics.isEmpty)
    }

    @Test func namespaceRangeDefinesThatNamespacesPool() {
        let configuration = PoolConfiguration(data: ["range-development": "192.0.2.210-192.0.2.219"])
        #expect(ranges(configuration, .namespace("development")) == ["192.0.2.210-192.0.2.219"])
    }

    @Test func globalKeysDefineTheGlobalPool() {
        let configuration = PoolConfiguration(data: [
            "cidr-global": "192.0.2.240/29", "range-global": "198.51.100.10-198.51.100.12",
        ])
        #expect(ranges(configuration, .global) == ["192.0.2.240-192.0.2.247", "198.51.100.10-198.51.100.12"])
    }

    @Test func cidrAndRangeOfOneNamespaceFormOnePool() {
        let configuration = PoolConfiguration(data: [
            "cidr-finance": "192.0.2.0/30", "range-finance": "192.0.2.4-192.0.2.5",
        ])
        #expect(ranges(configuration, .namespace("finance")) == ["192.0.2.0-192.0.2.5"])
    }

    @Test func commaListsTolerateSpacesAndNewlines() {
        let configuration = PoolConfiguration(data: [
            "range-global": " 192.0.2.1-192.0.2.5 , 192.0.2.9 - 192.0.2.10,\n198.51.100.1-198.51.100.2\n"
        ])
        #expect(
            ranges(configuration, .global) == [
                "192.0.2.1-192.0.2.5", "192.0.2.9-192.0.2.10", "198.51.100.1-198.51.100.2",
            ])
        #expect(configuration.diagnostics.isEmpty)
    }

    @Test func overlappingAndAdjacentEntriesAreMerged() {
        let configuration = PoolConfiguration(data: [
            "cidr-global": "192.0.2.0/25,192.0.2.128/25,192.0.2.64/26", "range-global": "192.0.3.0-192.0.3.10",
        ])
        #expect(ranges(configuration, .global) == ["192.0.2.0-192.0.3.10"])
    }

    @Test func ipv4AndIPv6EntriesMayShareAKey() {
        let configuration = PoolConfiguration(data: ["cidr-global": "192.0.2.0/24,2001:db8::/64"])
        #expect(ranges(configuration, .global, .ipv4) == ["192.0.2.0-192.0.2.255"])
        #expect(ranges(configuration, .global, .ipv6) == ["2001:db8::-2001:db8::ffff:ffff:ffff:ffff"])
    }

    @Test func singleAddressInARangeKeyIsARangeOfOne() {
        let configuration = PoolConfiguration(data: ["range-global": "192.0.2.7"])
        #expect(ranges(configuration, .global) == ["192.0.2.7-192.0.2.7"])
    }

    @Test func dhcpSentinelMakesTheScopeUseDHCP() {
        let configuration = PoolConfiguration(data: ["cidr-home": "0.0.0.0/32"])
        #expect(configuration.pools[.namespace("home")]?.isDHCP == true)
        #expect(configuration.diagnostics.isEmpty)
    }

    @Test func allowShareFollowsNamespaceThenGlobal() {
        let configuration = PoolConfiguration(data: [
            "allow-share-global": "true", "allow-share-private": "false",
        ])
        #expect(configuration.allowsSharing(namespace: "private") == false)
        #expect(configuration.allowsSharing(namespace: "other"))
    }

    @Test(arguments: ["1", "t", "T", "true", "TRUE", "True"])
    func allowShareAcceptsEveryTrueSpellingOfGo(_ value: String) {
        #expect(PoolConfiguration(data: ["allow-share-global": value]).allowsSharing(namespace: "x"))
    }

    @Test func sharingIsOffByDefault() {
        #expect(!PoolConfiguration(data: [:]).allowsSharing(namespace: "x"))
    }

    @Test func interfaceFollowsNamespaceThenGlobal() {
        let configuration = PoolConfiguration(data: ["interface-global": "eth0", "interface-lab": "eth1.20"])
        #expect(configuration.interface(forNamespace: "lab") == "eth1.20")
        #expect(configuration.interface(forNamespace: "other") == "eth0")
    }

    @Test func searchOrderDescIsRead() {
        #expect(PoolConfiguration(data: ["search-order": "desc"]).searchOrder == .descending)
        #expect(PoolConfiguration(data: [:]).searchOrder == .ascending)
    }

    @Test func skipEndAddressesTrimsEachIPv4CIDR() {
        let configuration = PoolConfiguration(data: [
            "cidr-global": "192.0.2.0/25,192.0.2.128/25,198.51.100.4/31,198.51.100.9/32,2001:db8::/126",
            "skip-end-ips-in-cidr": "true",
        ])
        #expect(
            ranges(configuration, .global) == [
                "192.0.2.1-192.0.2.126", "192.0.2.129-192.0.2.254", "198.51.100.4-198.51.100.5",
                "198.51.100.9-198.51.100.9",
            ])
        #expect(ranges(configuration, .global, .ipv6) == ["2001:db8::-2001:db8::3"])
    }

    @Test func skipEndAddressesLeavesRangesWhole() {
        let configuration = PoolConfiguration(data: [
            "range-global": "192.0.2.0-192.0.2.10", "skip-end-ips-in-cidr": "true",
        ])
        #expect(ranges(configuration, .global) == ["192.0.2.0-192.0.2.10"])
    }

    @Test func namespaceWithOnlyBadEntriesStillHasItsOwnEmptyPool() {
        let configuration = PoolConfiguration(data: ["cidr-team": "nonsense", "cidr-global": "192.0.2.0/24"])
        #expect(configuration.scope(forNamespace: "team") == .namespace("team"))
        #expect(configuration.pools[.namespace("team")]?.hasAddresses(.ipv4) == false)
    }

    @Test func namespaceWithoutPoolUsesGlobal() {
        let configuration = PoolConfiguration(data: ["cidr-team": "192.0.2.0/28", "cidr-global": "198.51.100.0/24"])
        #expect(configuration.scope(forNamespace: "team") == .namespace("team"))
        #expect(configuration.scope(forNamespace: "other") == .global)
    }

    /// Upstream tries cidr-<ns>, cidr-global, range-<ns>, range-global, so range-<ns> loses to cidr-global.
    @Test func namespaceRangeWinsOverGlobalCIDR() {
        let configuration = PoolConfiguration(data: ["range-team": "192.0.2.5-192.0.2.6", "cidr-global": "198.51.100.0/24"])
        #expect(configuration.scope(forNamespace: "team") == .namespace("team"))
    }

    @Test func capacityLeavesOutAddressesNeverHandedOut() {
        let configuration = PoolConfiguration(data: ["cidr-global": "192.0.2.0/23,2001:db8::/64,2001:db8:1::/48"])
        #expect(configuration.pools[.global]?.capacity(.ipv4) == 508)
        #expect(configuration.pools[.global]?.capacity(.ipv6) == (UInt128(1) << 64) - 1 + (UInt128(1) << 80) - (1 << 16))
    }
}

@Suite("ConfigMap diagnostics")
struct PoolConfigurationDiagnosticTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let data: [String: String]
        let key: String
        let entry: String?
        let reason: Diagnostic.Reason
        let severity: Diagnostic.Severity
        var testDescription: String { "\(key): \(entry ?? "-")" }
    }

    static let cases: [Case] = [
        Case(data: ["cidr-global": "192.0.2.0/33"], key: "cidr-global", entry: "192.0.2.0/33",
             reason: .badCIDR("prefix length 33 is out of range 0-32 for IPv4"), severity: .error),
        Case(data: ["cidr-global": "192.0.2.0"], key: "cidr-global", entry: "192.0.2.0",
             reason: .badCIDR("missing '/<prefix length>'"), severity: .error),
        Case(data: ["cidr-global": "192.0.2.1-192.0.2.5"], key: "cidr-global", entry: "192.0.2.1-192.0.2.5",
             reason: .cidrExpected, severity: .error),
        Case(data: ["range-global": "192.0.2.9-192.0.2.1"], key: "range-global", entry: "192.0.2.9-192.0.2.1",
             reason: .reversedRange, severity: .error),
        Case(data: ["range-global": "192.0.2.1-2001:db8::1"], key: "range-global", entry: "192.0.2.1-2001:db8::1",
             reason: .mixedFamilies, severity: .error),
        Case(data: ["range-global": "192.0.2.0/24"], key: "range-global", entry: "192.0.2.0/24",
             reason: .rangeExpected, severity: .error),
        Case(data: ["range-global": "192.0.2.1-192.0.2.2-192.0.2.3"], key: "range-global",
             entry: "192.0.2.1-192.0.2.2-192.0.2.3", reason: .badAddress("more than one '-'"), severity: .error),
        Case(data: ["cidr-global": "::ffff:192.0.2.0/120"], key: "cidr-global", entry: "::ffff:192.0.2.0/120",
             reason: .ipv4MappedAddress, severity: .error),
        Case(data: ["cidr-global": "192.0.2.5/24"], key: "cidr-global", entry: "192.0.2.5/24",
             reason: .hostBitsSet(network: "192.0.2.0/24"), severity: .warning),
        Case(data: ["cidr-global": "192.0.2.255/32"], key: "cidr-global", entry: "192.0.2.255/32",
             reason: .noAllocatableAddress, severity: .warning),
        Case(data: ["cidr-global": "0.0.0.0/32,192.0.2.0/24"], key: "cidr-global", entry: "0.0.0.0/32",
             reason: .dhcpSentinelNotAlone, severity: .error),
        Case(data: ["cidr-lab": "0.0.0.0/32", "range-lab": "192.0.2.1-192.0.2.2"], key: "range-lab", entry: nil,
             reason: .rangesIgnoredForDHCP(dhcpKey: "cidr-lab"), severity: .warning),
        Case(data: ["cidr-global": " "], key: "cidr-global", entry: " ", reason: .noEntries, severity: .warning),
        Case(data: ["allow-share-global": "yes"], key: "allow-share-global", entry: "yes", reason: .notBoolean,
             severity: .error),
        Case(data: ["skip-end-ips-in-cidr": "on"], key: "skip-end-ips-in-cidr", entry: "on", reason: .notBoolean,
             severity: .error),
        Case(data: ["search-order": "random"], key: "search-order", entry: "random", reason: .invalidSearchOrder,
             severity: .error),
        Case(data: ["interface-global": "a-very-long-interface-name"], key: "interface-global",
             entry: "a-very-long-interface-name", reason: .invalidInterfaceName("longer than 15 characters"),
             severity: .error),
        Case(data: ["cidr_global": "192.0.2.0/24"], key: "cidr_global", entry: nil, reason: .unknownKey,
             severity: .error),
        Case(data: ["cidr-Team": "192.0.2.0/24"], key: "cidr-Team", entry: nil, reason: .invalidNamespace("Team"),
             severity: .error),
        Case(data: ["kubevip-services": "x"], key: "kubevip-services", entry: nil, reason: .legacyKey,
             severity: .warning),
    ]

    @Test(arguments: cases)
    func badEntryYieldsOneDiagnosticNamingKeyEntryAndReason(_ example: Case) {
        let configuration = PoolConfiguration(data: example.data)
        let matching = configuration.diagnostics.filter { $0.key == example.key }
        #expect(matching.count == 1)
        #expect(matching.first?.entry == example.entry)
        #expect(matching.first?.reason == example.reason)
        #expect(matching.first?.severity == example.severity)
    }

    @Test func goodEntriesBesideABadOneKeepWorking() {
        let configuration = PoolConfiguration(data: [
            "cidr-global": "192.0.2.0/30,not-a-cidr,198.51.100.0/30", "range-team": "203.0.113.9-203.0.113.1,203.0.113.20",
            "allow-share-global": "maybe", "interface-global": "eth0",
        ])
        #expect(ranges(configuration, .global) == ["192.0.2.0-192.0.2.3", "198.51.100.0-198.51.100.3"])
        #expect(ranges(configuration, .namespace("team")) == ["203.0.113.20-203.0.113.20"])
        #expect(configuration.interface(forNamespace: "x") == "eth0")
        #expect(configuration.diagnostics.count == 3)
        #expect(configuration.hasErrors)
    }

    @Test func diagnosticTextNamesKeyEntryAndReason() {
        let diagnostic = PoolConfiguration(data: ["range-global": "192.0.2.9-192.0.2.1"]).diagnostics.first
        #expect(diagnostic?.description == "error: range-global: entry \"192.0.2.9-192.0.2.1\": range start is after its end")
    }

    @Test func warningsAloneDoNotMakeTheConfigurationInvalid() {
        #expect(!PoolConfiguration(data: ["cidr-global": "192.0.2.5/24"]).hasErrors)
    }
}

@Suite("The seed's example ConfigMap")
struct SeedExampleTests {
    static let data = [
        "cidr-default": "192.168.0.200/29",
        "range-development": "192.168.0.210-192.168.0.219",
        "cidr-finance": "192.168.0.220/29,192.168.0.230/29",
        "cidr-global": "192.168.0.240/29",
    ]

    /// The seed's finance CIDRs are not aligned: 192.168.0.220/29 is really 192.168.0.216/29. Upstream masks
    /// silently; we say so, and it is only a warning.
    @Test func warnsThatTheFinanceCIDRsHaveHostBitsSet() {
        let configuration = PoolConfiguration(data: Self.data)
        #expect(
            configuration.diagnostics.map(\.reason) == [
                .hostBitsSet(network: "192.168.0.216/29"), .hostBitsSet(network: "192.168.0.224/29"),
            ])
        #expect(!configuration.hasErrors)
    }

    @Test func eachNamespaceGetsItsOwnPoolAndOthersTheGlobalOne() {
        let configuration = PoolConfiguration(data: Self.data)
        #expect(ranges(configuration, .namespace("default")) == ["192.168.0.200-192.168.0.207"])
        #expect(ranges(configuration, .namespace("development")) == ["192.168.0.210-192.168.0.219"])
        // 192.168.0.220/29 is 216-223 and 192.168.0.230/29 is 224-231: adjacent, so merged.
        #expect(ranges(configuration, .namespace("finance")) == ["192.168.0.216-192.168.0.231"])
        #expect(configuration.scope(forNamespace: "kube-system") == .global)
        #expect(ranges(configuration, .global) == ["192.168.0.240-192.168.0.247"])
    }
}

@Suite("Pool overlaps")
struct PoolOverlapTests {
    @Test func overlappingPoolsAreListedWithTheSharedRanges() {
        let configuration = PoolConfiguration(data: [
            "range-development": "192.168.0.210-192.168.0.219", "cidr-finance": "192.168.0.216/29",
            "cidr-global": "192.168.0.0/24,2001:db8::/64", "cidr-lab": "2001:db8::/120",
        ])
        let overlaps = configuration.overlaps().map { overlap in
            "\(overlap.first) & \(overlap.second) \(overlap.family): "
                + overlap.ranges.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
        }
        #expect(
            overlaps == [
                "namespace development & namespace finance IPv4: 192.168.0.216-192.168.0.219",
                "namespace development & global IPv4: 192.168.0.210-192.168.0.219",
                "namespace finance & global IPv4: 192.168.0.216-192.168.0.223",
                "namespace lab & global IPv6: 2001:db8::-2001:db8::ff",
            ])
    }

    @Test func disjointPoolsDoNotOverlap() {
        #expect(PoolConfiguration(data: ["cidr-a": "192.0.2.0/25", "cidr-b": "192.0.2.128/25"]).overlaps().isEmpty)
    }
}
