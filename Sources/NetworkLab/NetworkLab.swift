import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A throw-away network for one test: a switch namespace holding bridge `br0`, and one namespace per host
/// with `eth0` (a veth whose peer is a bridge port), its MAC, 198.51.100.x/24 and optionally 2001:db8::x/64.
///
/// Nothing touches the root namespace: both veth ends are created directly inside the lab's namespaces, and
/// the namespace names carry a random lab id, so labs of tests running side by side never collide. Every
/// process started through the lab is signalled by its PID and awaited, and every namespace deleted, when
/// `with` ends, whether the body returned, threw or was cancelled.
public final class NetworkLab: Sendable {
    /// Random per lab; prefixes every namespace name.
    public let id: String
    public let hosts: [LabHost]
    /// Namespace of the bridge.
    public let switchNamespace: String
    /// Private directory for process output and whatever the test wants to keep next to it; removed at
    /// teardown unless `NETWORK_LAB_KEEP` is set in the environment.
    public let directory: URL

    private struct Registry {
        var processes: [LabProcess] = []
        var namespaces: [String] = []
        var sequence = 0
    }

    private let registry = Mutex(Registry())

    private init(id: String, hosts: [LabHost], switchNamespace: String, directory: URL) {
        self.id = id
        self.hosts = hosts
        self.switchNamespace = switchNamespace
        self.directory = directory
    }

    // MARK: Availability

    /// nil when labs can be built here (root, `ip` present, `ip netns add` works); otherwise why not, for a
    /// test's skip message.
    public static func unavailableReason() -> String? { availability }

    private static let availability: String? = {
        guard geteuid() == 0 else { return "network namespaces need root (running as uid \(geteuid()))" }
        guard let ip = executablePath("ip") else { return "the ip command (iproute2) is not installed" }
        let probe = "kvlprobe\(randomSuffix())"
        let added = runBlocking([ip, "netns", "add", probe])
        guard added.succeeded else { return "`ip netns add` failed: \(added.stderr)" }
        _ = runBlocking([ip, "netns", "del", probe])
        return nil
    }()

    /// The programs among `names` that are not installed (searched in the usual system directories).
    public static func missingTools(_ names: [String]) -> [String] {
        names.filter { executablePath($0) == nil }
    }

    static let searchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    static func executablePath(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        return searchPath.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func randomSuffix() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<6).map { _ in alphabet.randomElement() ?? "x" })
    }

    /// For the availability probe only, which runs before any async context exists.
    private static func runBlocking(_ arguments: [String]) -> CommandResult {
        do {
            return try ChildProcess.runBlocking(arguments, environment: ["PATH": searchPath], timeout: .seconds(30))
        } catch {
            return CommandResult(arguments: arguments, status: .exited(-1), stdout: "", stderr: "\(error)")
        }
    }

    // MARK: Lifetime

    /// Builds the lab, runs `body`, and tears everything down in every outcome.
    public static func with<T: Sendable>(
        hosts specs: [HostSpec], _ body: (NetworkLab) async throws -> T
    ) async throws -> T {
        if let reason = unavailableReason() { throw NetworkLabError.unavailable(reason) }
        let id = "kvl" + randomSuffix()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("networklab-\(id)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let hosts = specs.map {
            LabHost(name: $0.name, namespace: "\(id)-\($0.name)", mac: $0.mac, ipv4: $0.ipv4, ipv6: $0.ipv6)
        }
        let lab = NetworkLab(id: id, hosts: hosts, switchNamespace: "\(id)-sw", directory: directory)
        let result: Result<T, any Error>
        do {
            try await lab.build(specs)
            result = .success(try await body(lab))
        } catch {
            result = .failure(error)
        }
        await lab.tearDown()
        return try result.get()
    }

    private func build(_ specs: [HostSpec]) async throws {
        let sw = switchNamespace
        try await addNamespace(sw)
        try await ip("-n", sw, "link", "set", "lo", "up")
        try await ip("-n", sw, "link", "add", "br0", "type", "bridge")
        try await ip("-n", sw, "link", "set", "br0", "up")
        for (spec, host) in zip(specs, hosts) {
            let ns = host.namespace
            try await addNamespace(ns)
            try await ip("-n", ns, "link", "set", "lo", "up")
            // Both ends are born inside the lab's namespaces: `eth0` never meets the root namespace's `eth0`.
            try await ip(
                "link", "add", "eth0", "netns", ns, "address", spec.mac, "type", "veth",
                "peer", "name", "p-\(spec.name)", "netns", sw)
            try await ip("-n", sw, "link", "set", "p-\(spec.name)", "master", "br0")
            try await ip("-n", sw, "link", "set", "p-\(spec.name)", "up")
            try await ip("-n", ns, "addr", "add", "\(spec.ipv4)/24", "dev", "eth0")
            if let ipv6 = spec.ipv6 {
                // nodad: the address is usable at once instead of after a second of duplicate detection.
                try await ip("-n", ns, "addr", "add", "\(ipv6)/64", "dev", "eth0", "nodad")
            }
            try await ip("-n", ns, "link", "set", "eth0", "up")
        }
    }

    /// Creates namespace `<id>-<name>` with `lo` up, for a part of a test's network that is not a host on the
    /// switch (a gateway's WAN side, say), and returns its name. Teardown deletes it before the lab's own
    /// namespaces, so a veth between it and a host goes with it.
    public func addExtraNamespace(_ name: String) async throws -> String {
        let namespace = "\(id)-\(name)"
        try await addNamespace(namespace)
        try await ip("-n", namespace, "link", "set", "lo", "up")
        return namespace
    }

    private func addNamespace(_ name: String) async throws {
        try await ip("netns", "add", name)
        registry.withLock { $0.namespaces.append(name) }
    }

    /// Stops every process (SIGTERM, then SIGKILL after a grace period; at once if the test was cancelled),
    /// waits for each exit, then deletes the namespaces, which takes their interfaces with them.
    private func tearDown() async {
        let processes = registry.withLock { $0.processes }
        let running = processes.filter(\.isRunning)
        for process in running { process.signal(SIGTERM) }
        if !Task.isCancelled {
            for process in running { _ = await process.waitForExit(timeout: .seconds(2)) }
        }
        for process in running where process.isRunning { process.signal(SIGKILL) }
        for process in running { _ = await process.exit() }
        for namespace in registry.withLock({ $0.namespaces }).reversed() {
            if let deleted = try? await commandIgnoringCancellation(["ip", "netns", "del", namespace]),
                !deleted.succeeded
            {
                FileHandle.standardError.write(Data("NetworkLab: could not delete \(namespace): \(deleted)\n".utf8))
            }
        }
        if ProcessInfo.processInfo.environment["NETWORK_LAB_KEEP"] == nil {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    // MARK: Hosts

    /// The host named `name` (as in its `HostSpec`).
    public func host(_ name: String) throws -> LabHost {
        guard let host = hosts.first(where: { $0.name == name }) else { throw NetworkLabError.unknownHost(name) }
        return host
    }

    // MARK: Processes

    /// Starts `arguments` inside `host`'s namespace (`ip netns exec`, which execs, so the PID is the
    /// program's). Output goes to files in `directory`, readable at any time through the returned process.
    /// The environment is `PATH` plus `environment`. Stopped at teardown at the latest.
    public func spawn(
        in host: LabHost, _ arguments: [String], environment: [String: String] = [:], name: String? = nil
    ) throws -> LabProcess {
        try launch(
            ["ip", "netns", "exec", host.namespace] + arguments, environment: environment,
            name: name ?? "\(host.name): \(arguments.first ?? "")")
    }

    /// Starts `arguments` in the root namespace (for `ip -n NS …` and other tools that name the namespace).
    public func spawn(_ arguments: [String], environment: [String: String] = [:], name: String? = nil) throws
        -> LabProcess
    {
        try launch(arguments, environment: environment, name: name ?? (arguments.first ?? "process"))
    }

    private func launch(_ arguments: [String], environment: [String: String], name: String) throws -> LabProcess {
        guard let program = arguments.first, let executable = Self.executablePath(program) else {
            throw NetworkLabError.spawnFailed("\(arguments.first ?? "(nothing)"): not found in \(Self.searchPath)")
        }
        let sequence = registry.withLock { registry in
            registry.sequence += 1
            return registry.sequence
        }
        let stem = String(sequence) + "-" + String(name.map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(40))
        var fullEnvironment = ["PATH": Self.searchPath]
        fullEnvironment.merge(environment) { _, given in given }
        // Registered under the lock together with the launch, so teardown cannot miss a process that a
        // cancelled test started at the last moment.
        return try registry.withLock { registry in
            let process = try LabProcess.launch(
                name: name, executable: executable, arguments: Array(arguments.dropFirst()),
                environment: fullEnvironment, stdoutURL: directory.appendingPathComponent(stem + ".stdout"),
                stderrURL: directory.appendingPathComponent(stem + ".stderr"))
            registry.processes.append(process)
            return process
        }
    }

    /// Runs `arguments` inside `host`'s namespace to its end. A command still running after `timeout` is
    /// killed and reported as `NetworkLabError.timedOut`; so is one whose waiting task is cancelled.
    public func run(
        in host: LabHost, _ arguments: [String], environment: [String: String] = [:],
        timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        try await finish(spawn(in: host, arguments, environment: environment), arguments: arguments, timeout: timeout)
    }

    /// Runs `arguments` in the root namespace to its end (see `run(in:_:)`).
    public func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60))
        async throws -> CommandResult
    {
        try await finish(spawn(arguments, environment: environment), arguments: arguments, timeout: timeout)
    }

    /// Starts `arguments` inside `host` and returns once its output (standard output or error) contains
    /// `readyText`, e.g. tcpdump's "listening on", so that it sees whatever the test does next. Stop it
    /// with `LabProcess.stop()` and read `stdout`; teardown stops it otherwise. Throws if it exits or
    /// `timeout` passes before it is ready. (Give tcpdump `-l --immediate-mode`: otherwise it hands frames
    /// over in batches, and those still in its buffer when it is stopped are never printed.)
    public func start(
        in host: LabHost, _ arguments: [String], readyWhen readyText: String, environment: [String: String] = [:],
        timeout: Duration = .seconds(10)
    ) async throws -> LabProcess {
        let process = try spawn(in: host, arguments, environment: environment)
        do {
            _ = try await Self.eventually(
                "\(arguments.first ?? "process") in \(host.name) to print \"\(readyText)\"", within: timeout,
                every: .milliseconds(20)
            ) {
                if process.stderr.contains(readyText) || process.stdout.contains(readyText) { return true }
                guard process.isRunning else {
                    let status = process.exitStatus.map { "\($0)" } ?? "?"
                    throw NetworkLabError.spawnFailed(
                        "\(process) ended (\(status)) before \"\(readyText)\": \(process.stderr)")
                }
                return nil
            } diagnostics: {
                "stderr: \(process.stderrTail())"
            }
        } catch {
            await process.stop()
            throw error
        }
        return process
    }

    /// Runs `arguments` inside `host` for `duration`, then stops it (SIGTERM, SIGKILL after a grace
    /// period) and returns what it wrote: for tools that run until stopped, such as `tcpdump -l
    /// --immediate-mode` without `-c`. Returns earlier if the program ends by itself.
    public func run(
        in host: LabHost, _ arguments: [String], for duration: Duration, environment: [String: String] = [:]
    ) async throws -> CommandResult {
        let process = try spawn(in: host, arguments, environment: environment)
        defer { forget(process) }
        let status: ExitStatus
        if let exited = await process.waitForExit(timeout: duration) {
            status = exited
        } else {
            status = await process.stop()
        }
        return CommandResult(arguments: arguments, status: status, stdout: process.stdout, stderr: process.stderr)
    }

    private func finish(_ process: LabProcess, arguments: [String], timeout: Duration) async throws -> CommandResult {
        defer { forget(process) }
        guard let status = await process.waitForExit(timeout: timeout) else {
            process.signal(SIGKILL)
            _ = await process.exit()
            throw NetworkLabError.timedOut("\(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        return CommandResult(arguments: arguments, status: status, stdout: process.stdout, stderr: process.stderr)
    }

    /// Teardown must delete the namespaces even when the test's task is cancelled.
    private func commandIgnoringCancellation(_ arguments: [String]) async throws -> CommandResult {
        let process = try spawn(arguments)
        defer { forget(process) }
        let status = await process.exit()
        return CommandResult(arguments: arguments, status: status, stdout: process.stdout, stderr: process.stderr)
    }

    /// A finished short command needs neither its files nor a place in the teardown list.
    private func forget(_ process: LabProcess) {
        guard !process.isRunning else { return }
        registry.withLock { $0.processes.removeAll { $0 === process } }
        try? FileManager.default.removeItem(at: process.stdoutURL)
        try? FileManager.default.removeItem(at: process.stderrURL)
    }

    /// `ip arguments…` in the root namespace; throws unless it succeeds.
    @discardableResult
    public func ip(_ arguments: String...) async throws -> CommandResult {
        let result = try await run(["ip"] + arguments)
        guard result.succeeded else { throw NetworkLabError.commandFailed(result) }
        return result
    }

    // MARK: Observations

    /// `host`'s neighbour entry for `address` (IPv4 or IPv6), nil when it has none.
    public func neighbourEntry(in host: LabHost, for address: String) async throws -> NeighbourEntry? {
        let result = try await ip("-n", host.namespace, "neigh", "show", address, "dev", "eth0")
        return NeighbourEntry.parse(result.stdout, address: address)
    }

    /// The addresses on `device` in `host`, as `address/prefix` (both families, link-local included).
    /// The addresses on `device` in `host`; every device's when `device` is nil.
    public func addresses(in host: LabHost, device: String? = "eth0") async throws -> [String] {
        let result =
            if let device {
                try await ip("-n", host.namespace, "-o", "addr", "show", "dev", device)
            } else {
                try await ip("-n", host.namespace, "-o", "addr", "show")
            }
        return Self.parseAddresses(result.stdout)
    }

    /// Whether `address` (without prefix) is configured on `device` (any device when nil) in `host`.
    public func hasAddress(_ address: String, in host: LabHost, device: String? = "eth0") async throws -> Bool {
        try await addresses(in: host, device: device).contains {
            $0.split(separator: "/").first.map(String.init) == address
        }
    }

    /// The hosts among `candidates` that have `address` on `device` (any device when nil).
    public func hostsHolding(_ address: String, among candidates: [LabHost], device: String? = "eth0") async throws
        -> [LabHost]
    {
        var holders: [LabHost] = []
        for host in candidates where try await hasAddress(address, in: host, device: device) { holders.append(host) }
        return holders
    }

    /// One ping from `host` to `address` (`ping -c 1 -W timeoutSeconds`, `-6` for IPv6); true when answered.
    public func ping(from host: LabHost, to address: String, timeoutSeconds: Int = 1) async throws -> Bool {
        let family = address.contains(":") ? ["-6"] : ["-4"]
        let result = try await run(
            in: host, ["ping"] + family + ["-n", "-c", "1", "-W", String(timeoutSeconds), address],
            timeout: .seconds(timeoutSeconds + 10))
        return result.succeeded
    }

    /// Parses `ip -o addr show` lines (`2: eth0    inet 198.51.100.11/24 brd … scope global eth0 …`).
    static func parseAddresses(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let index = fields.firstIndex(where: { $0 == "inet" || $0 == "inet6" }),
                fields.indices.contains(index + 1)
            else { return nil }
            return String(fields[index + 1])
        }
    }
}

extension NetworkLab {
    /// Polls `check` every `interval` until it returns a value; throws `NetworkLabError.timedOut` (with
    /// `diagnostics()` appended) when `limit` passes first.
    public static func eventually<T: Sendable>(
        _ what: String, within limit: Duration, every interval: Duration = .milliseconds(100),
        _ check: () async throws -> T?, diagnostics: () async -> String = { "" }
    ) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while true {
            if let value = try await check() { return value }
            guard clock.now < deadline else {
                let details = await diagnostics()
                throw NetworkLabError.timedOut(
                    "waited \(limit) for \(what)" + (details.isEmpty ? "" : "\n\(details)"))
            }
            try await Task.sleep(for: interval)
        }
    }
}
