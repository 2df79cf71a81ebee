import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a lab's UPnP gateway behaves. The defaults are the testbed's (part 4) except NAT-PMP, which is off
/// because the node agent speaks UPnP only and a second protocol would only add noise to the log.
public struct MiniupnpdConfiguration: Sendable, Hashable {
    /// The gateway host's interface on the lab's switch: miniupnpd serves HTTP and SSDP there only.
    public var lanInterface: String
    public var httpPort: UInt16
    /// `secure_mode=yes`, as on most home routers: a mapping may only point at the address its request
    /// came from (718 ConflictInMappingEntry otherwise).
    public var secureMode: Bool
    /// NAT-PMP and PCP on port 5351 as well.
    public var natpmp: Bool
    /// Permission lines in miniupnpd's syntax (`allow|deny EXTPORTS CLIENT/PREFIX INTPORTS`), first match
    /// wins; `deny 0-65535 0.0.0.0/0 0-65535` always follows them, so nothing unlisted is allowed. The
    /// default lets the lab's subnet map unprivileged ports; insert a `deny` before it to refuse one.
    public var permissions: [String]
    /// The device's UUID; a fresh one per configuration, so two gateways never look like the same device.
    public var uuid: String
    /// More `option=value` lines, written as they are after the others.
    public var extraLines: [String]

    public static let defaultPermissions = ["allow 1024-65535 198.51.100.0/24 1024-65535"]

    public init(
        lanInterface: String = "eth0", httpPort: UInt16 = 5000, secureMode: Bool = false, natpmp: Bool = false,
        permissions: [String] = MiniupnpdConfiguration.defaultPermissions, uuid: String? = nil,
        extraLines: [String] = []
    ) {
        self.lanInterface = lanInterface
        self.httpPort = httpPort
        self.secureMode = secureMode
        self.natpmp = natpmp
        self.permissions = permissions
        self.uuid = uuid ?? UUID().uuidString.lowercased()
        self.extraLines = extraLines
    }

    /// miniupnpd's configuration file (`-f`) for this configuration.
    public func file(externalInterface: String) -> String {
        var lines = [
            "ext_ifname=\(externalInterface)",
            "listening_ip=\(lanInterface)",
            "http_port=\(httpPort)",
            "enable_upnp=yes",
            "enable_natpmp=\(natpmp ? "yes" : "no")",
            "secure_mode=\(secureMode ? "yes" : "no")",
            // The uptime of the daemon, not of the machine: the status a client reads starts at 0.
            "system_uptime=no",
            "uuid=\(uuid)",
        ]
        lines += extraLines
        lines += permissions
        lines.append("deny 0-65535 0.0.0.0/0 0-65535")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One port mapping as `upnpc -l` lists it: ` 0 TCP 30080->198.51.100.11:8080  'lb-test' '' 604798`.
public struct MiniupnpdMapping: Sendable, Hashable {
    /// `TCP` or `UDP`.
    public var `protocol`: String
    public var externalPort: UInt16
    public var internalClient: String
    public var internalPort: UInt16
    /// What the client that added it gave as `NewPortMappingDescription`.
    public var description: String
    /// Empty when the mapping accepts any remote host (the only kind miniupnpd's clients normally add).
    public var remoteHost: String
    /// Seconds left; a mapping added with lease 0 is stored with 604800 (IGDv2's one week) and counts down.
    public var remainingLease: UInt32

    public init(
        protocol: String, externalPort: UInt16, internalClient: String, internalPort: UInt16, description: String,
        remoteHost: String = "", remainingLease: UInt32
    ) {
        self.protocol = `protocol`
        self.externalPort = externalPort
        self.internalClient = internalClient
        self.internalPort = internalPort
        self.description = description
        self.remoteHost = remoteHost
        self.remainingLease = remainingLease
    }

    /// The mappings in `upnpc -l` (or `-L`) output; every other line (banner, status, header, the closing
    /// 713) is skipped, as is anything malformed.
    public static func parse(_ output: String) -> [MiniupnpdMapping] {
        output.split(separator: "\n").compactMap { parseLine($0) }
    }

    /// upnpc prints `%2d %s %5s->%s:%-5s '%s' '%s' %s`: the ports are padded with spaces and the description
    /// may contain anything but a newline, so the line is taken apart from both ends.
    static func parseLine(_ line: Substring) -> MiniupnpdMapping? {
        var rest = line.drop { $0 == " " }
        guard let index = rest.firstIndex(of: " "), Int(rest[..<index]) != nil else { return nil }
        rest = rest[index...].drop { $0 == " " }
        guard let protocolEnd = rest.firstIndex(of: " ") else { return nil }
        let proto = String(rest[..<protocolEnd])
        guard proto == "TCP" || proto == "UDP" else { return nil }
        rest = rest[protocolEnd...].drop { $0 == " " }
        guard let arrow = rest.range(of: "->"), let externalPort = UInt16(rest[..<arrow.lowerBound]) else {
            return nil
        }
        rest = rest[arrow.upperBound...]
        guard let internalEnd = rest.firstIndex(of: " "), let colon = rest[..<internalEnd].lastIndex(of: ":"),
            let internalPort = UInt16(rest[rest.index(after: colon)..<internalEnd])
        else { return nil }
        let internalClient = String(rest[..<colon])
        rest = rest[internalEnd...]
        let trimmed = rest.trimmingCharacters(in: .whitespaces)
        guard let leaseStart = trimmed.lastIndex(of: " "),
            let lease = UInt32(trimmed[trimmed.index(after: leaseStart)...])
        else { return nil }
        let quoted = trimmed[..<leaseStart].trimmingCharacters(in: .whitespaces)
        guard quoted.hasSuffix("'") else { return nil }
        let withoutLastQuote = quoted.dropLast()
        guard let remoteQuote = withoutLastQuote.lastIndex(of: "'") else { return nil }
        let remoteHost = String(withoutLastQuote[withoutLastQuote.index(after: remoteQuote)...])
        let described = withoutLastQuote[..<remoteQuote].trimmingCharacters(in: .whitespaces)
        guard described.count >= 2, described.hasPrefix("'"), described.hasSuffix("'") else { return nil }
        return MiniupnpdMapping(
            protocol: proto, externalPort: externalPort, internalClient: internalClient, internalPort: internalPort,
            description: String(described.dropFirst().dropLast()), remoteHost: remoteHost, remainingLease: lease)
    }
}

/// A UPnP Internet gateway for the lab (the testbed's part 4): miniupnpd with its nftables backend in a
/// host on the switch, whose WAN side is a veth to a namespace of its own, so tests can check real
/// forwarding from "the Internet" to a node.
///
/// The WAN addresses are 100.128.0.1 (the gateway, `ext_ifname=wan0`) and 100.128.0.2 (the WAN client),
/// outside the documentation ranges because miniupnpd refuses every reserved or private external address
/// ("Port forwarding is impossible", every AddPortMapping then fails with 501). They only ever exist on
/// that veth between two namespaces of the lab, neither of which has a link to the root namespace or a
/// default route, so nothing can leave.
///
/// miniupnpd is a lab process like any other: stopped by PID at teardown whatever the test did, or earlier
/// by `stop()`; the WAN namespace is deleted with the lab's.
public final class MiniupnpdGateway: Sendable {
    public static let externalAddress = "100.128.0.1"
    public static let wanClientAddress = "100.128.0.2"
    public static let wanPrefix = "100.128.0.0/24"
    /// The gateway's end of the WAN veth (its `ext_ifname`).
    public static let externalInterface = "wan0"
    /// What `start` and the helpers run.
    public static let requiredTools = ["miniupnpd", "upnpc", "nft", "socat", "curl", "sysctl"]

    /// The tables and chains miniupnpd's nftables backend writes into; it does not create them itself (it
    /// then refuses every mapping with 501), and Debian's `nft_init.sh` that should is broken.
    static let ruleset = """
        table inet filter {
          chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
          chain miniupnpd { }
          chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
          chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
          chain prerouting_miniupnpd { }
          chain postrouting_miniupnpd { }
        }

        """

    public let lab: NetworkLab
    public let process: LabProcess
    /// The gateway's host on the switch (its LAN side).
    public let host: LabHost
    /// The WAN namespace as a host, so that tests can run anything there with `lab.run(in:)`: `eth0` with
    /// 100.128.0.2/24, no other route.
    public let wanHost: LabHost
    public let configuration: MiniupnpdConfiguration
    public let configurationURL: URL
    public let pidFileURL: URL

    private init(
        lab: NetworkLab, process: LabProcess, host: LabHost, wanHost: LabHost,
        configuration: MiniupnpdConfiguration, configurationURL: URL, pidFileURL: URL
    ) {
        self.lab = lab
        self.process = process
        self.host = host
        self.wanHost = wanHost
        self.configuration = configuration
        self.configurationURL = configurationURL
        self.pidFileURL = pidFileURL
    }

    public var externalAddress: String { Self.externalAddress }
    public var wanClientAddress: String { Self.wanClientAddress }
    public var wanNamespace: String { wanHost.namespace }
    /// The device description, where a client that skips SSDP starts (`upnpc -u`).
    public var descriptionURL: String { "http://\(host.ipv4):\(configuration.httpPort)/rootDesc.xml" }

    /// The programs of `requiredTools` that are not installed, for a test's enabling condition.
    public static func missingTools() -> [String] { NetworkLab.missingTools(requiredTools) }

    /// Builds the WAN side of `host` (a host on the lab's switch, normally `HostSpec.host("gw", 254)`),
    /// loads the firewall chains, starts miniupnpd and returns once it serves its device description over
    /// HTTP. If miniupnpd ends before that, the error carries its log.
    public static func start(
        in lab: NetworkLab, host: LabHost, configuration: MiniupnpdConfiguration = MiniupnpdConfiguration(),
        timeout: Duration = .seconds(10)
    ) async throws -> MiniupnpdGateway {
        let missing = missingTools()
        guard missing.isEmpty else {
            throw NetworkLabError.unavailable("not installed: \(missing.joined(separator: ", "))")
        }
        let wanHost = try await buildWAN(in: lab, for: host)
        try await checked(lab, in: host, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        let stem = "miniupnpd-\(host.name)-\(NetworkLab.randomSuffix())"
        let rulesetURL = lab.directory.appendingPathComponent(stem + ".nft")
        let configurationURL = lab.directory.appendingPathComponent(stem + ".conf")
        let pidFileURL = lab.directory.appendingPathComponent(stem + ".pid")
        try Data(ruleset.utf8).write(to: rulesetURL)
        try await checked(lab, in: host, ["nft", "-f", rulesetURL.path])
        try Data(configuration.file(externalInterface: externalInterface).utf8).write(to: configurationURL)
        // -d: in the foreground (so the lab's PID is miniupnpd's own) and logging to standard error, since
        // there is no syslog in the lab.
        let process = try lab.spawn(
            in: host, ["miniupnpd", "-d", "-f", configurationURL.path, "-P", pidFileURL.path],
            name: "\(host.name): miniupnpd")
        let gateway = MiniupnpdGateway(
            lab: lab, process: process, host: host, wanHost: wanHost, configuration: configuration,
            configurationURL: configurationURL, pidFileURL: pidFileURL)
        do {
            _ = try await NetworkLab.eventually(
                "miniupnpd in \(host.name) to serve \(gateway.descriptionURL)", within: timeout,
                every: .milliseconds(20)
            ) {
                guard process.isRunning else {
                    let status = process.exitStatus.map { "\($0)" } ?? "?"
                    throw NetworkLabError.spawnFailed("miniupnpd in \(host.name) ended (\(status)):\n\(gateway.log())")
                }
                return try await gateway.servesDescription() ? true : nil
            } diagnostics: {
                "log:\n\(gateway.log())"
            }
        } catch {
            await process.stop()
            throw error
        }
        return gateway
    }

    /// The veth `wan0` (gateway) – `eth0` (WAN namespace), with the fixed MACs 02:00:00:00:fe:01 and :02.
    private static func buildWAN(in lab: NetworkLab, for host: LabHost) async throws -> LabHost {
        let namespace = try await lab.addExtraNamespace("wan-\(host.name)")
        let wanMAC = "02:00:00:00:fe:02"
        try await lab.ip(
            "link", "add", externalInterface, "netns", host.namespace, "address", "02:00:00:00:fe:01", "type", "veth",
            "peer", "name", "eth0", "netns", namespace, "address", wanMAC)
        try await lab.ip("-n", host.namespace, "addr", "add", "\(externalAddress)/24", "dev", externalInterface)
        try await lab.ip("-n", host.namespace, "link", "set", externalInterface, "up")
        try await lab.ip("-n", namespace, "addr", "add", "\(wanClientAddress)/24", "dev", "eth0")
        try await lab.ip("-n", namespace, "link", "set", "eth0", "up")
        return LabHost(name: "wan-\(host.name)", namespace: namespace, mac: wanMAC, ipv4: wanClientAddress, ipv6: nil)
    }

    /// A GET of the description answered 200: the main loop runs, not merely the socket listens.
    private func servesDescription() async throws -> Bool {
        let result = try await lab.run(
            in: host, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1", descriptionURL],
            timeout: .seconds(5))
        return result.succeeded && result.stdout == "200"
    }

    @discardableResult
    private static func checked(_ lab: NetworkLab, in host: LabHost, _ arguments: [String]) async throws
        -> CommandResult
    {
        let result = try await lab.run(in: host, arguments)
        guard result.succeeded else { throw NetworkLabError.commandFailed(result) }
        return result
    }

    // MARK: Clients

    /// `upnpc -u <descriptionURL> arguments…` in `client` (the gateway's own host when nil); the result as it
    /// is, for the cases the other helpers do not cover (upnpc exits 2 when the gateway refuses an action).
    public func upnpc(from client: LabHost? = nil, _ arguments: [String]) async throws -> CommandResult {
        // -u skips SSDP discovery, which costs two seconds and needs a multicast route.
        try await lab.run(in: client ?? host, ["upnpc", "-u", descriptionURL] + arguments, timeout: .seconds(30))
    }

    /// Every mapping the gateway has, as `upnpc -l` lists them from `client` (the gateway's own host when nil).
    public func mappings(from client: LabHost? = nil) async throws -> [MiniupnpdMapping] {
        let result = try await upnpc(from: client, ["-l"])
        guard result.succeeded else { throw NetworkLabError.commandFailed(result) }
        return MiniupnpdMapping.parse(result.stdout)
    }

    /// `AddPortMapping` sent by upnpc from `client`, pointing at `internalClient` (`client`'s own address when
    /// nil); throws with upnpc's output unless the gateway confirms it (e.g. 718 for a port mapped to another
    /// client, 606 for one the permissions refuse). A lease of 0 asks for a permanent mapping.
    @discardableResult
    public func addMapping(
        from client: LabHost, internalClient: String? = nil, internalPort: UInt16, externalPort: UInt16,
        protocol: String = "TCP", description: String = "lab", leaseDuration: UInt32 = 0
    ) async throws -> CommandResult {
        let result = try await upnpc(
            from: client,
            [
                "-e", description, "-a", internalClient ?? client.ipv4, String(internalPort), String(externalPort),
                `protocol`, String(leaseDuration),
            ])
        guard result.succeeded, result.stdout.contains("is redirected to internal") else {
            throw NetworkLabError.commandFailed(result)
        }
        return result
    }

    /// `DeletePortMapping` sent by upnpc from `client` (the gateway's own host when nil); throws with upnpc's
    /// output unless the gateway answers success (miniupnpd 2.3.1 does so for a mapping it does not have).
    @discardableResult
    public func deleteMapping(from client: LabHost? = nil, externalPort: UInt16, protocol: String = "TCP")
        async throws -> CommandResult
    {
        let result = try await upnpc(from: client, ["-d", String(externalPort), `protocol`])
        guard result.succeeded, result.stdout.contains("returned : 0") else {
            throw NetworkLabError.commandFailed(result)
        }
        return result
    }

    /// What a TCP connection from the WAN namespace to the external address and `port` reads until the other
    /// end closes; nil when no connection comes about (refused, or no answer within two seconds).
    public func connect(toExternalPort port: UInt16) async throws -> String? {
        // Standard input is /dev/null: socat half-closes at once and then waits (-t) for the server's text
        // and end of file.
        let result = try await lab.run(
            in: wanHost,
            ["socat", "-T", "3", "-t", "3", "-", "TCP4:\(externalAddress):\(port),connect-timeout=2"],
            timeout: .seconds(15))
        return result.succeeded ? result.stdout : nil
    }

    /// Routes the WAN prefix of `node` through the gateway, so that its answers to forwarded connections
    /// go back through the gateway's connection tracking (lab hosts have no default route).
    public func addReturnRoute(on node: LabHost) async throws {
        try await lab.ip("-n", node.namespace, "route", "replace", Self.wanPrefix, "via", host.ipv4)
    }

    /// The gateway's nftables ruleset (`nft list ruleset`): miniupnpd's `dnat` and `accept` rules per mapping.
    public func firewallRules() async throws -> String {
        try await Self.checked(lab, in: host, ["nft", "list", "ruleset"]).stdout
    }

    /// Everything miniupnpd logged (with `-d` it writes its log to standard error).
    public func log() -> String {
        process.stderr
    }

    /// SIGTERM to miniupnpd (SIGKILL if it lingers) and waits for its exit. Its firewall rules stay, as after
    /// a crash: forwarding goes on while nobody answers UPnP requests.
    public func stop() async {
        await process.stop()
    }
}

extension NetworkLab {
    /// A TCP listener in `host` on `port` (of `address`, every address when nil) that writes `text` and a
    /// newline to every connection and closes it: the service behind a port mapping. Returns once it listens.
    public func startTextServer(in host: LabHost, port: UInt16, address: String? = nil, text: String) async throws
        -> LabProcess
    {
        let listen = "TCP4-LISTEN:\(port),reuseaddr,fork" + (address.map { ",bind=\($0)" } ?? "")
        // The text reaches the shell through the environment, so socat's address syntax (`:`, `,`) never
        // sees it.
        return try await start(
            in: host, ["socat", "-d", "-d", listen, "SYSTEM:echo \"$LAB_TEXT_SERVER_TEXT\""],
            readyWhen: "listening on", environment: ["LAB_TEXT_SERVER_TEXT": text])
    }
}
