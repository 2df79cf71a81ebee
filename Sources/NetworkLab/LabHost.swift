/// A host to create on the lab's switch: one namespace with `eth0` plugged into the bridge.
///
/// The addressing plan of the testbed: 198.51.100.0/24 (TEST-NET-2) and 2001:db8::/64, with the host number
/// also the last byte of the MAC (02:00:00:00:00:NN), so captures and neighbour tables read at a glance.
public struct HostSpec: Sendable, Hashable {
    public var name: String
    public var ipv4: String
    public var ipv6: String?
    public var mac: String

    /// A host with explicit addresses. `name` must be short (it names the switch port `p-<name>`, which the
    /// kernel limits to 15 characters).
    public init(name: String, ipv4: String, ipv6: String? = nil, mac: String) {
        self.name = name
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.mac = mac
    }

    /// Host number `number` of the plan: 198.51.100.N, 2001:db8::N (hexadecimal digits of the decimal N,
    /// so `.11` is `2001:db8::11`) when `ipv6`, MAC 02:00:00:00:00:NN with NN = N in hexadecimal.
    public static func host(_ name: String, _ number: UInt8, ipv6: Bool = false) -> HostSpec {
        HostSpec(
            name: name, ipv4: "198.51.100.\(number)", ipv6: ipv6 ? "2001:db8::\(number)" : nil,
            mac: macAddress(number))
    }

    static func macAddress(_ number: UInt8) -> String {
        let hex = String(number, radix: 16)
        return "02:00:00:00:00:" + (hex.count == 1 ? "0" + hex : hex)
    }
}

/// A host of a running lab.
public struct LabHost: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    /// The network namespace (unique per lab, so labs of parallel tests never meet).
    public let namespace: String
    public let mac: String
    public let ipv4: String
    public let ipv6: String?

    public var description: String { "\(name) (\(ipv4), \(mac))" }
}

/// One line of `ip neigh show`: the link-layer address is absent while unresolved (INCOMPLETE, FAILED).
public struct NeighbourEntry: Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var mac: String?
    /// REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE, PERMANENT, NOARP.
    public var state: String

    public init(address: String, mac: String?, state: String) {
        self.address = address
        self.mac = mac
        self.state = state
    }

    public var description: String { "\(address) \(mac ?? "(no lladdr)") \(state)" }

    /// Parses the output of `ip neigh show ADDRESS`, e.g.
    /// `198.51.100.100 dev eth0 lladdr 02:00:00:00:00:0b REACHABLE`; nil when there is no entry.
    public static func parse(_ output: String, address: String) -> NeighbourEntry? {
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.first == address, let state = fields.last else { continue }
            let mac = fields.firstIndex(of: "lladdr").flatMap { index in
                fields.indices.contains(index + 1) ? fields[index + 1] : nil
            }
            return NeighbourEntry(address: address, mac: mac, state: state)
        }
        return nil
    }
}

/// A finished command.
public struct CommandResult: Sendable, CustomStringConvertible {
    public var arguments: [String]
    public var status: ExitStatus
    public var stdout: String
    public var stderr: String

    public var succeeded: Bool { status == .exited(0) }

    public var description: String {
        "\(arguments.joined(separator: " ")): \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)"
    }
}

public enum NetworkLabError: Error, CustomStringConvertible {
    case unavailable(String)
    case spawnFailed(String)
    case commandFailed(CommandResult)
    case timedOut(String)
    case unknownHost(String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "network lab unavailable: \(reason)"
        case .spawnFailed(let message): "could not start \(message)"
        case .commandFailed(let result): "command failed: \(result)"
        case .timedOut(let message): "timed out: \(message)"
        case .unknownHost(let name): "no host named \(name) in this lab"
        }
    }
}
