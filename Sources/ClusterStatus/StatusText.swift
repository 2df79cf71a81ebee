import Foundation
import ReportText

extension StatusReport {
    /// The report for people: a pool table, ConfigMap problems, a Service table, each Service's problems, and
    /// one summary line. ASCII only, so that logs and terminals without UTF-8 show it as it is.
    public var text: String {
        var lines: [String] = []
        let configMapName = "\(configMap.namespace)/\(configMap.name)"
        switch configMap.state {
        case .found: lines.append("ConfigMap \(configMapName): \(Self.count(summary.pools, "pool"))")
        case .missing: lines.append("ConfigMap \(configMapName): not found")
        case .unreadable: lines.append("ConfigMap \(configMapName): unreadable")
        }
        lines.append("")
        if pools.isEmpty {
            lines.append("Pools: none")
        } else {
            var rows = [["POOL", "SCOPE", "FAMILY", "CAPACITY", "IN USE", "FREE", "USED", "RANGES"]]
            for pool in pools {
                rows.append([
                    pool.name, pool.scope, pool.family,
                    pool.capacity.map(CountText.short) ?? "-", String(pool.inUse),
                    pool.free.map(CountText.short) ?? "-",
                    pool.capacity.flatMap(UInt128.init).map {
                        UsageBar.render(used: UInt128(pool.inUse), capacity: $0) + " "
                            + UsageBar.percent(used: UInt128(pool.inUse), capacity: $0)
                    } ?? "-",
                    pool.ranges.joined(separator: ", "),
                ])
            }
            lines += TextTable.render(rows, rightAligned: [3, 4, 5])
        }
        if !configMap.problems.isEmpty {
            lines += ["", "ConfigMap problems:"]
            lines += configMap.problems.map { "  \($0)" }
        }

        lines.append("")
        if services.isEmpty {
            lines.append("Services: none of type LoadBalancer")
        } else {
            var rows = [["SERVICE", "STATE", "ADDRESS", "POOL", "HOLDER", "PROBLEMS"]]
            for service in services {
                var kinds: [String] = []
                for problem in service.problems where problem.severity != .note && !kinds.contains(problem.kind) {
                    kinds.append(problem.kind)
                }
                rows.append([
                    "\(service.namespace)/\(service.name)", service.state.rawValue,
                    service.addresses.isEmpty ? "-" : service.addresses.joined(separator: ","),
                    service.pools.isEmpty ? "-" : service.pools.joined(separator: ","),
                    service.holder ?? "-",
                    kinds.isEmpty ? "-" : kinds.joined(separator: ","),
                ])
            }
            lines += TextTable.render(rows)
            let withProblems = services.filter { !$0.problems.isEmpty }
            if !withProblems.isEmpty {
                lines += ["", "Service problems:"]
                for service in withProblems {
                    lines += service.problems.map { "  \(service.namespace)/\(service.name): \($0)" }
                }
            }
        }
        if !readProblems.isEmpty {
            lines += ["", "Not read:"]
            lines += readProblems.map { "  \($0)" }
        }
        lines += ["", summaryLine]
        return lines.joined(separator: "\n") + "\n"
    }

    /// "4 pools; 6 Services: 3 served, 1 unheld, 2 pending; 1 error, 2 warnings, 1 note".
    public var summaryLine: String {
        var states = ["\(summary.served) served"]
        if summary.unheld > 0 { states.append("\(summary.unheld) unheld") }
        if summary.pending > 0 { states.append("\(summary.pending) pending") }
        if summary.waitingForDHCP > 0 { states.append("\(summary.waitingForDHCP) waiting for DHCP") }
        let problems =
            summary.errors + summary.warnings + summary.notes == 0
            ? "no problems"
            : [
                Self.count(summary.errors, "error"), Self.count(summary.warnings, "warning"),
                Self.count(summary.notes, "note"),
            ].joined(separator: ", ")
        return "\(Self.count(summary.pools, "pool")); \(Self.count(summary.services, "Service")): "
            + "\(states.joined(separator: ", ")); \(problems)"
    }

    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
}

/// A pool's use as a fixed-width ASCII bar, `[#####...............]`: the same width for every pool so that
/// the bars of a table line up, and `#`/`.` so that any terminal or log viewer shows it.
public enum UsageBar {
    public static let width = 20

    /// Any use shows at least one `#`, and only a full pool shows no `.`: "almost empty" and "almost full"
    /// must not look like "empty" and "full".
    public static func render(used: UInt128, capacity: UInt128, width: Int = UsageBar.width) -> String {
        let cells = UInt128(width)
        var filled: UInt128
        if capacity == 0 || used == 0 {
            filled = 0
        } else if used >= capacity {
            filled = cells
        } else {
            // used < capacity here; divide first when the product could overflow (IPv6 pools).
            let (product, overflow) = used.multipliedReportingOverflow(by: cells)
            filled = overflow ? used / (capacity / cells) : product / capacity
            filled = min(max(filled, 1), cells - 1)
        }
        let hashes = Int(filled)
        return "[" + String(repeating: "#", count: hashes) + String(repeating: ".", count: width - hashes) + "]"
    }

    /// Whole percent, rounded down, and never 100% while an address is free, nor 0% once one is used.
    public static func percent(used: UInt128, capacity: UInt128) -> String {
        guard capacity > 0, used > 0 else { return "0%" }
        if used >= capacity { return "100%" }
        let (product, overflow) = used.multipliedReportingOverflow(by: 100)
        let value = overflow ? used / (capacity / 100) : product / capacity
        return "\(min(max(value, 1), 99))%"
    }
}

/// Address counts short enough for a table column: exact up to ten million, then in scientific notation
/// (an IPv6 /64 is `1.8e19`); the JSON output keeps the exact number.
public enum CountText {
    public static func short(_ decimal: String) -> String {
        UInt128(decimal).map(short) ?? decimal
    }

    public static func short(_ count: UInt128) -> String {
        guard count >= 10_000_000 else { return String(count) }
        let digits = Array(String(count).utf8).map { Int($0) - 48 }
        var exponent = digits.count - 1
        // Two significant digits, rounded half up from the third.
        var mantissa = digits[0] * 10 + digits[1] + (digits[2] >= 5 ? 1 : 0)
        if mantissa >= 100 {
            mantissa /= 10
            exponent += 1
        }
        return "\(mantissa / 10).\(mantissa % 10)e\(exponent)"
    }
}
