import Foundation
import ReportText

/// What `kube-vip status` shows: pools with their use, Services with their address, pool, holder and problems.
///
/// `kube-vip status -o json` prints this value. The field names below are the stable interface for scripts;
/// fields may be added, none is renamed or removed. Counts that can exceed 2^53 (pool sizes: an IPv6 /64
/// holds 2^64 - 1 addresses) are decimal strings, so that no JSON reader rounds them.
///
/// ```
/// {
///   "configMap":  { "namespace": "kube-system", "name": "kubevip",
///                   "state": "found" | "missing" | "unreadable",
///                   "problems": [Problem] },            // bad entries, missing ConfigMap, ...
///   "pools": [ {
///       "name": "cidr-global+range-global",             // the ConfigMap keys that make the pool
///       "scope": "global" | "<namespace>",              // who draws from it
///       "family": "IPv4" | "IPv6" | "DHCP" | "none",    // one row per family; "none": every entry was bad
///       "capacity": "254",                              // decimal string; null for DHCP
///       "inUse": 3,                                     // addresses held (a shared address counts once)
///       "free": "251",                                  // decimal string; null for DHCP
///       "usedFraction": 0.0118,                         // inUse / capacity, 0 when capacity is 0
///       "ranges": ["192.0.2.0/24"] } ],
///   "services": [ {
///       "namespace": "default", "name": "web",
///       "state": "served" | "unheld" | "pending" | "waitingForDHCP",
///       "addresses": ["192.0.2.10"],                    // recorded (kube-vip.io/loadbalancerIPs, else
///                                                       // spec.loadBalancerIP, else status), DHCP's lease
///       "pools": ["cidr-default"],                      // the pools those addresses lie in; empty if none
///       "holder": "node-1" | null,                      // the node serving it
///       "holderSource": "vipHost" | "lease" | null,     // kube-vip.io/vipHost, else the Lease holder
///       "lease": "default/kubevip-web" | null,          // the Lease deciding who serves it
///       "problems": [Problem] } ],
///   "readProblems": ["..."],                            // what could not be read (RBAC), report still made
///   "summary": { "pools": 2, "services": 5, "served": 3, "unheld": 0, "pending": 1,
///                "waitingForDHCP": 0, "errors": 1, "warnings": 1, "notes": 1 }
/// }
/// Problem: { "severity": "error" | "warning" | "note", "kind": "<word>", "message": "..." }
/// ```
///
/// Problem kinds: `configMapMissing`, `configMapUnreadable`, `configMapEntry` (ConfigMap); `pending`,
/// `invalidAddress`, `conflict`, `noHolder`, `holderMismatch`, `leaseExpired`, `dhcpWaiting`, `warningEvent`,
/// `outsidePools`, `otherPool`, `shared` (Services).
public struct StatusReport: Codable, Sendable, Equatable {
    public var configMap: ConfigMapSummary
    /// Sorted by name, then family.
    public var pools: [PoolRow]
    /// Sorted by namespace, then name; only the filtered namespace with `-n`.
    public var services: [ServiceRow]
    public var readProblems: [String]
    public var summary: StatusSummary
}

public struct ConfigMapSummary: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case found, missing, unreadable
    }

    public var namespace: String
    public var name: String
    public var state: State
    public var problems: [Problem]
}

public struct PoolRow: Codable, Sendable, Equatable {
    public var name: String
    public var scope: String
    public var family: String
    public var capacity: String?
    public var inUse: Int
    public var free: String?
    public var usedFraction: Double
    public var ranges: [String]

    enum CodingKeys: String, CodingKey {
        case name, scope, family, capacity, inUse, free, usedFraction, ranges
    }

    /// Absent values are written as `null`, so that every row has the same fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(scope, forKey: .scope)
        try container.encode(family, forKey: .family)
        try container.encode(capacity, forKey: .capacity)
        try container.encode(inUse, forKey: .inUse)
        try container.encode(free, forKey: .free)
        try container.encode(usedFraction, forKey: .usedFraction)
        try container.encode(ranges, forKey: .ranges)
    }
}

public struct ServiceRow: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Has an address and a node serving it.
        case served
        /// Has an address, but no node is known to serve it.
        case unheld
        /// No address yet.
        case pending
        /// `0.0.0.0`: the node agent has not leased an address by DHCP yet.
        case waitingForDHCP
    }

    public var namespace: String
    public var name: String
    public var state: State
    public var addresses: [String]
    public var pools: [String]
    public var holder: String?
    public var holderSource: String?
    public var lease: String?
    /// Errors first, then warnings, then notes.
    public var problems: [Problem]

    enum CodingKeys: String, CodingKey {
        case namespace, name, state, addresses, pools, holder, holderSource, lease, problems
    }

    /// Absent values are written as `null`, so that every row has the same fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(namespace, forKey: .namespace)
        try container.encode(name, forKey: .name)
        try container.encode(state, forKey: .state)
        try container.encode(addresses, forKey: .addresses)
        try container.encode(pools, forKey: .pools)
        try container.encode(holder, forKey: .holder)
        try container.encode(holderSource, forKey: .holderSource)
        try container.encode(lease, forKey: .lease)
        try container.encode(problems, forKey: .problems)
    }
}

public struct Problem: Codable, Sendable, Equatable, CustomStringConvertible {
    public typealias Severity = ReportText.Severity

    public var severity: Severity
    public var kind: String
    public var message: String

    public init(_ severity: Severity, _ kind: String, _ message: String) {
        self.severity = severity
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(severity.rawValue): \(message)" }
}

public struct StatusSummary: Codable, Sendable, Equatable {
    public var pools: Int
    public var services: Int
    public var served: Int
    public var unheld: Int
    public var pending: Int
    public var waitingForDHCP: Int
    public var errors: Int
    public var warnings: Int
    public var notes: Int
}

extension StatusReport {
    /// Every problem of the report, ConfigMap's first.
    public var allProblems: [Problem] { configMap.problems + services.flatMap(\.problems) }

    /// The `-o json` text: pretty, keys sorted so that diffs between two runs are readable.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
