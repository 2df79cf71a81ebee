import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a lab's DHCP server hands out; the defaults are the testbed's (part 3): the whole /24 of the lab,
/// the shortest lease dnsmasq accepts, authoritative so that a client asking for an address it does not
/// know gets a NAK at once instead of silence.
public struct DnsmasqConfiguration: Sendable {
    /// The interface inside the server's host.
    public var interface = "eth0"
    /// First and last address of the pool (198.51.100.50–.79 in the addressing plan).
    public var rangeStart: String
    public var rangeEnd: String
    public var netmask = "255.255.255.0"
    /// dnsmasq's syntax (`2m`, `1h`, `infinite`); it refuses anything below two minutes.
    public var leaseTime = "2m"
    /// Seconds, sent as option 58 (T1); nil leaves dnsmasq's default of half the lease.
    public var renewalTime: Int?
    /// Seconds, sent as option 59 (T2); nil leaves dnsmasq's default of seven eighths of the lease.
    public var rebindingTime: Int?
    /// Fixed addresses by client MAC (`--dhcp-host=MAC,IP`).
    public var reservations: [(mac: String, ip: String)] = []
    public var authoritative = true
    /// Appended to the command line as they are.
    public var extraArguments: [String] = []

    public init(
        interface: String = "eth0", rangeStart: String, rangeEnd: String, netmask: String = "255.255.255.0",
        leaseTime: String = "2m", renewalTime: Int? = nil, rebindingTime: Int? = nil,
        reservations: [(mac: String, ip: String)] = [], authoritative: Bool = true, extraArguments: [String] = []
    ) {
        self.interface = interface
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
        self.netmask = netmask
        self.leaseTime = leaseTime
        self.renewalTime = renewalTime
        self.rebindingTime = rebindingTime
        self.reservations = reservations
        self.authoritative = authoritative
        self.extraArguments = extraArguments
    }

    /// The testbed's pool, 198.51.100.50–.79.
    public static let testbed = DnsmasqConfiguration(rangeStart: "198.51.100.50", rangeEnd: "198.51.100.79")

    /// dnsmasq's command line for this configuration, with its state in the given files.
    public func arguments(leaseFile: URL, logFile: URL, pidFile: URL) -> [String] {
        var arguments = [
            "dnsmasq",
            // In the foreground so the lab's PID is dnsmasq's own and teardown stops it.
            "--keep-in-foreground",
            // Nothing from the machine's /etc/dnsmasq.conf or /etc/hosts-style defaults.
            "--conf-file=/dev/null",
            // No DNS: nothing listens on port 53, only DHCP on the interface.
            "--port=0",
            "--interface=\(interface)",
            "--bind-interfaces",
            "--dhcp-range=\(rangeStart),\(rangeEnd),\(netmask),\(leaseTime)",
            "--dhcp-leasefile=\(leaseFile.path)",
            // Without it dnsmasq pings an address for about 3 s before offering it.
            "--no-ping",
            "--log-dhcp",
            "--log-facility=\(logFile.path)",
            "--pid-file=\(pidFile.path)",
        ]
        if authoritative { arguments.append("--dhcp-authoritative") }
        if let renewalTime { arguments.append("--dhcp-option=option:T1,\(renewalTime)") }
        if let rebindingTime { arguments.append("--dhcp-option=option:T2,\(rebindingTime)") }
        for reservation in reservations { arguments.append("--dhcp-host=\(reservation.mac),\(reservation.ip)") }
        return arguments + extraArguments
    }
}

/// One line of dnsmasq's lease file: `1795705298 02:00:00:00:01:01 198.51.100.52 * 01:02:00:00:00:01:01`.
public struct DnsmasqLease: Sendable, Hashable, CustomStringConvertible {
    /// Unix seconds; 0 for an infinite lease.
    public var expiry: Int
    /// As dnsmasq writes it: lower case, colon separated.
    public var mac: String
    public var address: String
    /// nil when the client sent none (`*`).
    public var hostname: String?
    /// Hexadecimal bytes, colon separated (`01:02:00:00:00:01:01`: type 1 and a MAC); nil when none (`*`).
    public var clientID: String?

    public init(expiry: Int, mac: String, address: String, hostname: String? = nil, clientID: String? = nil) {
        self.expiry = expiry
        self.mac = mac
        self.address = address
        self.hostname = hostname
        self.clientID = clientID
    }

    public var description: String { "\(address) to \(mac) until \(expiry)" }

    /// The IPv4 leases of a lease file's text; DHCPv6 lines (the `duid` line and those after it) and
    /// anything malformed are skipped.
    public static func parse(_ text: String) -> [DnsmasqLease] {
        var leases: [DnsmasqLease] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if fields.first == "duid" { break }
            guard fields.count >= 4, let expiry = Int(fields[0]), !fields[2].contains(":") else { continue }
            leases.append(
                DnsmasqLease(
                    expiry: expiry, mac: fields[1], address: fields[2],
                    hostname: fields[3] == "*" ? nil : fields[3],
                    clientID: fields.count < 5 || fields[4] == "*" ? nil : fields[4]))
        }
        return leases
    }
}

/// A dnsmasq DHCP server in a lab host (the testbed's command line, part 3), for tests of a DHCP client
/// against a real server: its lease file and its `--log-dhcp` log are what the tests assert on.
///
/// It is a lab process like any other: stopped by PID at teardown whatever the test did, or earlier by
/// `stop()`.
public final class DnsmasqServer: Sendable {
    public let process: LabProcess
    public let host: LabHost
    public let configuration: DnsmasqConfiguration
    public let leaseFileURL: URL
    public let logURL: URL
    public let pidFileURL: URL

    private init(
        process: LabProcess, host: LabHost, configuration: DnsmasqConfiguration, leaseFileURL: URL, logURL: URL,
        pidFileURL: URL
    ) {
        self.process = process
        self.host = host
        self.configuration = configuration
        self.leaseFileURL = leaseFileURL
        self.logURL = logURL
        self.pidFileURL = pidFileURL
    }

    /// Whether dnsmasq is installed (package dnsmasq-base), for a test's enabling condition.
    public static var isInstalled: Bool { NetworkLab.executablePath("dnsmasq") != nil }

    /// Starts dnsmasq in `host` and returns once it serves DHCP: its pid file is written and its log
    /// reports the range, which it does after binding the DHCP socket.
    ///
    /// - Parameter leaseFile: where the leases are kept; by default a new file in the lab's directory.
    ///   Passing the file of an earlier (stopped) instance starts with its leases, as a restarted server would.
    public static func start(
        in lab: NetworkLab, host: LabHost, configuration: DnsmasqConfiguration = .testbed, leaseFile: URL? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> DnsmasqServer {
        let stem = "dnsmasq-\(host.name)-\(NetworkLab.randomSuffix())"
        let leaseFileURL = leaseFile ?? lab.directory.appendingPathComponent(stem + ".leases")
        let logURL = lab.directory.appendingPathComponent(stem + ".log")
        let pidFileURL = lab.directory.appendingPathComponent(stem + ".pid")
        let process = try lab.spawn(
            in: host, configuration.arguments(leaseFile: leaseFileURL, logFile: logURL, pidFile: pidFileURL),
            name: "\(host.name): dnsmasq")
        let server = DnsmasqServer(
            process: process, host: host, configuration: configuration, leaseFileURL: leaseFileURL, logURL: logURL,
            pidFileURL: pidFileURL)
        do {
            _ = try await NetworkLab.eventually(
                "dnsmasq in \(host.name) to serve DHCP", within: timeout, every: .milliseconds(20)
            ) {
                guard process.isRunning else {
                    let status = process.exitStatus.map { "\($0)" } ?? "?"
                    throw NetworkLabError.spawnFailed(
                        "dnsmasq in \(host.name) ended (\(status)): \(process.stderr)\n\(server.log())")
                }
                return server.isServing ? true : nil
            } diagnostics: {
                "stderr: \(process.stderr)\nlog: \(server.log())"
            }
        } catch {
            await process.stop()
            throw error
        }
        return server
    }

    /// The pid file holds dnsmasq's PID (written before it serves) and the log reports the range.
    private var isServing: Bool {
        guard let pid = (try? String(contentsOf: pidFileURL, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        else { return false }
        return pid == String(process.pid) && log().contains("DHCP, IP range")
    }

    /// The leases in the lease file now (dnsmasq rewrites it after every change).
    public func leases() -> [DnsmasqLease] {
        DnsmasqLease.parse((try? String(contentsOf: leaseFileURL, encoding: .utf8)) ?? "")
    }

    /// The lease of the client with `mac` (any case), if it has one.
    public func lease(for mac: String) -> DnsmasqLease? {
        leases().first { $0.mac.lowercased() == mac.lowercased() }
    }

    /// Everything dnsmasq logged (`--log-dhcp`: every packet with its options).
    public func log() -> String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    /// The log lines that contain `text` (e.g. "DHCPACK(eth0)", "DHCPRELEASE").
    public func logLines(containing text: String) -> [String] {
        log().split(separator: "\n").filter { $0.contains(text) }.map(String.init)
    }

    /// SIGTERM to dnsmasq's PID (SIGKILL if it lingers) and waits for its exit. The lease file stays.
    public func stop() async {
        await process.stop()
    }
}
