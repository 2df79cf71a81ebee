import IPAM
import NetworkAddresses
import ReportText

/// What `kube-vip check` prints: the pools as the controller will see them, the settings, and every problem,
/// so that a ConfigMap can be reviewed before it is applied.
public struct CheckReport: Sendable {
    public let file: ConfigMapFile
    public let fileName: String
    public let configuration: PoolConfiguration

    public init(file: ConfigMapFile, fileName: String) {
        self.file = file
        self.fileName = fileName
        self.configuration = PoolConfiguration(data: file.data)
    }

    /// Both kinds of problem as report lines, errors first, then warnings, then notes; within a severity the
    /// file's own problems come first because they explain odd values the pool diagnostics then mention.
    public var findings: [Finding] {
        let fileFindings = file.problems.map { Finding(severity: $0.severity, text: $0.description) }
        let poolFindings = configuration.diagnostics.map { diagnostic in
            Finding(severity: diagnostic.severity == .error ? .error : .warning, text: diagnostic.description)
        }
        let all = fileFindings + poolFindings
        return FileProblem.Severity.allCases.flatMap { severity in all.filter { $0.severity == severity } }
    }

    public var errorCount: Int { findings.count { $0.severity == .error } }
    public var warningCount: Int { findings.count { $0.severity == .warning } }
    public var noteCount: Int { findings.count { $0.severity == .note } }

    /// kubectl would take the file and the controller would use every entry as written; warnings allowed.
    public var isValid: Bool { errorCount == 0 }

    public var text: String {
        var lines = [header, "", "Pools:"]
        lines += poolTable.map { "  " + $0 }
        let overlaps = overlapTable
        if !overlaps.isEmpty {
            lines += ["", "Overlapping pools (safe: each address still goes to one Service, first come first served):"]
            lines += overlaps.map { "  " + $0 }
        }
        lines += ["", "Settings:"]
        lines += settingsTable.map { "  " + $0 }
        lines += ["", "Problems:"]
        let findings = self.findings
        lines += findings.isEmpty ? ["  none"] : findings.map { "  " + $0.text }
        lines += ["", summary]
        return lines.joined(separator: "\n") + "\n"
    }

    var header: String {
        switch file.form {
        case .configMap(let name, let namespace):
            "ConfigMap \(namespace ?? "<current namespace>")/\(name ?? "<no name>") in \(fileName)"
        case .dataMapping: "ConfigMap data (a YAML mapping of keys to values) in \(fileName)"
        case .envFile: "ConfigMap data (key=value lines) in \(fileName)"
        }
    }

    /// One row per scope and family, so each row has one capacity; ranges come last because a pool may have
    /// many and a long last column does not push the others out of line.
    var poolTable: [String] {
        let pools = configuration.pools.values.sorted { $0.scope < $1.scope }
        guard !pools.isEmpty else { return ["none (no cidr- or range- keys)"] }
        var rows: [[String]] = [["SCOPE", "FAMILY", "CAPACITY", "RANGES"]]
        for pool in pools {
            let scope = pool.scope.description
            if pool.isDHCP {
                rows.append([scope, IPFamily.ipv4.description, "-", "DHCP (0.0.0.0)"])
                continue
            }
            let families = IPFamily.allCases.filter { pool.hasAddresses($0) }
            if families.isEmpty {
                rows.append([scope, "-", "0", "no addresses"])
            }
            for family in families {
                let ranges = pool.ranges(family)
                rows.append([
                    scope, family.description,
                    AddressText.capacity(pool.capacity(family)),
                    ranges.map(AddressText.range).joined(separator: ", "),
                ])
            }
        }
        return TextTable.render(rows, rightAligned: [2])
    }

    /// Overlaps are not problems (namespace pools inside the global one are common), but they decide who can
    /// run out of addresses because of whom, so they are shown; a long list is cut short.
    var overlapTable: [String] {
        let limit = 50
        let overlaps = configuration.overlaps()
        var rows = overlaps.prefix(limit).map { overlap in
            [
                "\(overlap.first) & \(overlap.second)", overlap.family.description,
                overlap.ranges.map(AddressText.range).joined(separator: ", "),
            ]
        }
        if overlaps.count > limit {
            rows.append(["... and \(overlaps.count - limit) more pairs"])
        }
        return TextTable.render(rows)
    }

    var settingsTable: [String] {
        let data = file.data
        var rows: [[String]] = []
        let searchOrder = configuration.searchOrder.rawValue
        rows.append(["search-order", data["search-order"] == nil ? "\(searchOrder) (default)" : searchOrder])
        let skipEnds = String(configuration.skipEndAddressesInCIDR)
        let skipEndsSet = data["skip-end-ips-in-cidr"] != nil
        rows.append(["skip-end-ips-in-cidr", skipEndsSet ? skipEnds : "\(skipEnds) (default)"])
        rows += Self.perScope("allow-share", configuration.sharingSettings.mapValues { String($0) },
                              unset: "not set (no namespace shares addresses)")
        rows += Self.perScope("interface", configuration.interfaceSettings, unset: "not set")
        return TextTable.render(rows)
    }

    /// A setting made per scope: one row per scope, the setting's name on the first only.
    private static func perScope(_ setting: String, _ values: [PoolScope: String], unset: String) -> [[String]] {
        guard !values.isEmpty else { return [[setting, unset]] }
        return values.sorted { $0.key < $1.key }.enumerated().map { index, entry in
            [index == 0 ? setting : "", "\(entry.key): \(entry.value)"]
        }
    }

    var summary: String {
        var counts = [Self.count(errorCount, "error"), Self.count(warningCount, "warning")]
        if noteCount > 0 { counts.append(Self.count(noteCount, "note")) }
        if isValid {
            return "valid: " + ([Self.count(configuration.pools.count, "pool")] + counts).joined(separator: ", ")
        }
        return "invalid: " + counts.joined(separator: ", ")
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}

/// One line of the report's problem list: a file problem or a pool diagnostic.
public struct Finding: Sendable, Equatable {
    public let severity: FileProblem.Severity
    public let text: String
}
