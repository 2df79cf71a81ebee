import Foundation
import PoolCheck
import Testing

@Suite("Report of the example manifest")
struct ManifestExampleReportTests {
    private func lines() throws -> [String] {
        try reportLines(PackageFiles.manifestText(), fileName: PackageFiles.manifestPath)
    }

    @Test func headerNamesTheConfigMapAndTheFile() throws {
        #expect(try lines().first == "ConfigMap kube-system/kubevip in manifest/kubevip-configmap.yaml")
    }

    @Test func poolRowsListNamespacesAlphabeticallyThenGlobal() throws {
        let lines = try lines()
        let expected = [
            "Pools:",
            "  SCOPE                  FAMILY  CAPACITY  RANGES",
            "  namespace default      IPv4           8  192.168.0.200/29",
            "  namespace development  IPv4          10  192.168.0.210-192.168.0.219",
            "  namespace finance      IPv4          16  192.168.0.216-192.168.0.231",
            "  global                 IPv4           8  192.168.0.240/29",
        ]
        let start = try #require(lines.firstIndex(of: "Pools:"))
        #expect(Array(lines[start..<min(start + expected.count, lines.count)]) == expected)
    }

    @Test func hostBitsInTheFinanceCIDRsAreTwoWarnings() throws {
        let lines = try lines()
        #expect(
            lines.filter { $0.hasPrefix("  warning:") } == [
                "  warning: cidr-finance: entry \"192.168.0.220/29\": host bits are set; using 192.168.0.216/29",
                "  warning: cidr-finance: entry \"192.168.0.230/29\": host bits are set; using 192.168.0.224/29",
            ])
    }

    @Test func overlapOfDevelopmentAndFinanceIsShown() throws {
        let lines = try lines()
        let start = try #require(lines.firstIndex { $0.hasPrefix("Overlapping pools") })
        #expect(lines[start + 1] == "  namespace development & namespace finance  IPv4  192.168.0.216/30")
        #expect(lines[start + 2] == "")
    }

    @Test func settingsShowTheDefaults() throws {
        let lines = try lines()
        #expect(lines.contains("  search-order          asc (default)"))
        #expect(lines.contains("  skip-end-ips-in-cidr  false (default)"))
    }

    @Test func finalLineSaysValidWithCounts() throws {
        #expect(try lines().last(where: { !$0.isEmpty }) == "valid: 4 pools, 0 errors, 2 warnings")
    }

    @Test func exitStatusIsZero() throws {
        let outcome = runCheck(fileText: try PackageFiles.manifestText(), fileName: PackageFiles.manifestPath)
        #expect(outcome.exitStatus == 0)
        #expect(outcome.standardError.isEmpty)
    }
}

@Suite("Report contents")
struct CheckReportTests {
    private let reversedRange = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: kubevip
          namespace: kube-system
        data:
          range-global: 192.0.2.9-192.0.2.1
          cidr-finance: 198.51.100.5/30
        """

    @Test func aBadEntryIsListedAsAnErrorAndTheSummarySaysInvalid() throws {
        let lines = try reportLines(reversedRange)
        #expect(lines.contains("  error: range-global: entry \"192.0.2.9-192.0.2.1\": range start is after its end"))
        #expect(lines.last(where: { !$0.isEmpty }) == "invalid: 1 error, 1 warning")
    }

    @Test func errorsAreListedBeforeWarnings() throws {
        let lines = try reportLines(reversedRange)
        let error = try #require(lines.firstIndex { $0.hasPrefix("  error:") })
        let warning = try #require(lines.firstIndex { $0.hasPrefix("  warning:") })
        #expect(error < warning)
    }

    @Test func aBadEntryGivesExitStatusOne() {
        #expect(runCheck(fileText: reversedRange, fileName: "test.yaml").exitStatus == 1)
    }

    @Test func warningsAloneGiveExitStatusZero() {
        let outcome = runCheck(fileText: "cidr-global: 192.0.2.7/24\n", fileName: "test.yaml")
        #expect(outcome.standardOutput.contains("warning: cidr-global"))
        #expect(outcome.exitStatus == 0)
    }

    @Test func anUnquotedBoolMakesTheManifestInvalid() throws {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kubevip, namespace: kube-system}\n"
            + "data:\n  cidr-global: 192.0.2.0/24\n  allow-share-global: true\n"
        let outcome = runCheck(fileText: text, fileName: "test.yaml")
        #expect(outcome.standardOutput.contains("  error: allow-share-global (line 6): "))
        #expect(outcome.standardOutput.contains("invalid: 1 error, 0 warnings"))
        #expect(outcome.exitStatus == 1)
    }

    @Test func notesAreCountedButDoNotMakeItInvalid() throws {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: pools, namespace: lb}\n"
            + "data:\n  cidr-global: 192.0.2.0/24\n"
        let lines = try reportLines(text)
        #expect(lines.contains { $0.hasPrefix("  note: metadata (line 3): this is lb/pools;") })
        #expect(lines.last(where: { !$0.isEmpty }) == "valid: 1 pool, 0 errors, 0 warnings, 1 note")
    }

    @Test func aFileThatIsNotAConfigMapGivesAMessageOnStandardErrorAndStatusOne() {
        let outcome = runCheck(fileText: "kind: Deployment\nmetadata: {name: web}\n", fileName: "web.yaml")
        #expect(outcome.standardOutput.isEmpty)
        #expect(outcome.standardError.hasPrefix("error: web.yaml: no ConfigMap in the file (found Deployment web)"))
        #expect(outcome.exitStatus == 1)
    }

    @Test func aDHCPPoolIsShownAsDHCP() throws {
        let lines = try reportLines("cidr-lab: 0.0.0.0/32\n")
        #expect(lines.contains("  namespace lab  IPv4           -  DHCP (0.0.0.0)"))
    }

    @Test func aRangeOfOneAddressIsPrintedOnce() throws {
        let lines = try reportLines("range-global: 192.0.2.7\n")
        #expect(lines.contains("  global  IPv4           1  192.0.2.7"))
    }

    @Test func severalRangesAreJoinedByCommas() throws {
        let lines = try reportLines("range-global: 192.0.2.7-192.0.2.8, 198.51.100.1-198.51.100.2\n")
        #expect(lines.contains("  global  IPv4           4  192.0.2.7-192.0.2.8, 198.51.100.1-198.51.100.2"))
    }

    @Test func aLargeIPv6CapacityIsAlsoShownInPowersOfTwo() throws {
        let lines = try reportLines("cidr-global: 2001:db8::/64\n")
        #expect(lines.contains("  global  IPv6    18446744073709551615 (2^64 - 1)  2001:db8::/64"))
    }

    @Test func theWholeIPv6SpaceLeavesOutOneAddressPerSlash64() throws {
        let lines = try reportLines("cidr-global: ::/0\n")
        #expect(lines.contains { $0.contains("340282366920938463444927863358058659840 (2^128 - 2^64)  ::/0") })
    }

    @Test func anExactPowerOfTwoIsShownAsOne() throws {
        let lines = try reportLines("range-global: 2001:db8::1-2001:db8::1:0:0\n")
        #expect(lines.contains { $0.contains("4294967296 (2^32)") })
    }

    @Test func aPoolWithBothFamiliesHasARowForEach() throws {
        let lines = try reportLines("cidr-finance: 192.0.2.0/24,2001:db8:1::/120\n")
        #expect(lines.contains("  namespace finance  IPv4         254  192.0.2.0/24"))
        #expect(lines.contains("  namespace finance  IPv6         255  2001:db8:1::/120"))
    }

    @Test func rangesStartInOneColumnAndCapacitiesAreRightAligned() throws {
        let lines = try reportLines(
            "cidr-a: 192.0.2.0/28\nrange-longer-name: 198.51.100.1-198.51.100.200\ncidr-global: 2001:db8::/96\n")
        let start = try #require(lines.firstIndex(of: "Pools:"))
        let rows = lines[(start + 1)...].prefix { !$0.isEmpty }.map(Array.init)
        let header = try #require(rows.first)
        let ranges = try #require(column(of: "RANGES", in: header))
        let capacityEnd = try #require(column(of: "CAPACITY", in: header)) + "CAPACITY".count
        #expect(rows.count == 4)
        for row in rows.dropFirst() {
            #expect(row[ranges - 1] == " " && row[ranges] != " ", "\(String(row))")
            #expect(row[capacityEnd - 1] != " " && row[capacityEnd] == " ", "\(String(row))")
        }
    }

    @Test func settingsMadePerScopeAreListedPerScope() throws {
        let lines = try reportLines(
            """
            allow-share-global: "false"
            allow-share-finance: "true"
            interface-global: eth1
            search-order: desc
            """)
        #expect(lines.contains("  search-order          desc"))
        #expect(lines.contains("  allow-share           namespace finance: true"))
        #expect(lines.contains("                        global: false"))
        #expect(lines.contains("  interface             global: eth1"))
    }

    @Test func aConfigMapWithoutPoolsSaysSo() throws {
        let lines = try reportLines("search-order: desc\n")
        #expect(lines.contains("  none (no cidr- or range- keys)"))
        #expect(lines.last(where: { !$0.isEmpty }) == "valid: 0 pools, 0 errors, 0 warnings")
    }
}

/// The offset of `label` in a table row, in characters.
private func column(of label: String, in row: [Character]) -> Int? {
    let target = Array(label)
    return row.indices.first { start in row[start...].starts(with: target) }
}

@Suite("Report of pools that do not overlap")
struct DisjointPoolsReportTests {
    @Test func noOverlapSectionIsPrinted() {
        let outcome = runCheck(fileText: "cidr-a: 192.0.2.0/25\ncidr-b: 192.0.2.128/25\n", fileName: "pools.yaml")
        #expect(!outcome.standardOutput.contains("Overlapping"))
    }
}
