import KubernetesClient
import Logging
import NetworkAddresses
import Synchronization
import UPnP

/// Keeps one Service's ports mapped on the Internet gateway while this node holds its address: maps them,
/// refreshes them at half their lease, follows changes of ports or address, and deletes them on `stop()`.
///
/// Before mapping a port it asks the gateway who has it: a mapping to another host is reported as a conflict and
/// left alone (some gateways would silently overwrite it); a mapping to its own address that another node made
/// (the previous holder) is made anew under this node's description. On `stop()` it deletes only mappings that
/// still point to its address with the description it made them with, so a mapping the next holder has made its
/// own survives.
final class PortForwarder: Sendable {
    private let gateways: GatewayCache
    private let control: any InternetGatewayControl
    private let clock: ClientClock
    private let metrics: UPnPMetrics
    private let logger: Logger
    private let report: @Sendable (UPnPEvent) -> Void
    private let schedule: Schedule
    private let wanted: Mutex<PortForwarding>
    /// `stop()` was called: the authority; the bell only wakes the loop.
    private let stopRequested = Mutex(false)
    private let bell = Doorbell()
    /// What `stop()` has left to delete.
    private let leftovers = Mutex<Leftovers?>(nil)

    /// How often to look again.
    struct Schedule: Sendable {
        /// After a failure: the first wait, doubled per failure up to `maximumRetry`.
        var firstRetry: Duration = .seconds(5)
        var maximumRetry: Duration = .seconds(60)
        /// How often a permanent mapping is checked (a rebooted gateway forgets it).
        var permanentCheck: Duration = .seconds(300)
        /// How long deleting the mappings may hold up the address's withdrawal on `stop()`.
        var deletionBudget: Duration = .seconds(2)

        static let standard = Schedule()
    }

    init(
        forwarding: PortForwarding, gateways: GatewayCache, control: any InternetGatewayControl, clock: ClientClock,
        metrics: UPnPMetrics, schedule: Schedule = .standard, logger: Logger, report: @escaping @Sendable (UPnPEvent) -> Void
    ) {
        wanted = Mutex(forwarding)
        self.gateways = gateways
        self.control = control
        self.clock = clock
        self.metrics = metrics
        self.schedule = schedule
        self.logger = logger
        self.report = report
    }

    var forwarding: PortForwarding { wanted.withLock { $0 } }

    /// Ports, address or lease changed: mappings no longer wanted are deleted, new ones made, at once.
    func update(_ forwarding: PortForwarding) {
        wanted.withLock { $0 = forwarding }
        bell.ring()
    }

    /// Ends `run()` after deleting the mappings (within the deletion budget).
    func stop() {
        stopRequested.withLock { $0 = true }
        bell.ring()
    }

    private var isStopRequested: Bool { stopRequested.withLock { $0 } }

    /// A mapping this forwarder made.
    private struct Made: Sendable, Hashable {
        var client: IPAddress
        var description: String
    }

    private struct State: Sendable {
        var gateway: InternetGateway?
        /// The interface `gateway` was found on.
        var gatewayInterface: String?
        var externalAddress: IPAddress?
        var made: [ForwardedPort: Made] = [:]
        /// The gateway answered 725 once: every later mapping asks for a permanent lease.
        var permanentOnly = false
        var lastReport: UPnPEvent?
        var reported: Set<String> = []
        var failures = 0
    }

    func run() async {
        var state = State()
        while !isStopRequested, !Task.isCancelled {
            let forwarding = self.forwarding
            let problems = await pass(forwarding, &state)
            reportProblems(problems, forwarding, &state)
            let wait: Duration
            if problems.isEmpty || problems.allSatisfy(\.settled) {
                state.failures = 0
                // Conflicts are looked at again like a refresh: the other mapping may expire or be deleted.
                wait = refreshInterval(state.permanentOnly ? 0 : forwarding.leaseDuration, conflicts: !problems.isEmpty)
            } else {
                state.failures += 1
                wait = retryDelay(state.failures)
            }
            if await stopped(within: wait) { break }
        }
        guard !Task.isCancelled else { return }
        await deleteAll(state)
    }

    private func refreshInterval(_ lease: UInt32, conflicts: Bool) -> Duration {
        let refresh = lease == 0 ? schedule.permanentCheck : .seconds(max(1, Int(lease) / 2))
        return conflicts ? min(refresh, schedule.maximumRetry) : refresh
    }

    private func retryDelay(_ failures: Int) -> Duration {
        var delay = schedule.firstRetry
        for _ in 1..<max(1, min(failures, 16)) where delay < schedule.maximumRetry { delay *= 2 }
        return min(delay, schedule.maximumRetry)
    }

    // MARK: - One pass

    private struct Problem: Hashable {
        var reason: String
        var message: String
        /// The gateway answered as it means to (a conflict, a permanent lease): look again like a refresh, not
        /// like a retry after a failure.
        var settled = false
    }

    /// Makes the gateway match `forwarding`; returns what went wrong.
    private func pass(_ forwarding: PortForwarding, _ state: inout State) async -> [Problem] {
        let source = forwarding.internalClient
        let gateway: InternetGateway
        do {
            gateway = try await currentGateway(forwarding, &state)
            let external = try await call("GetExternalIPAddress") {
                try await control.externalAddress(of: gateway, source: source)
            }
            state.externalAddress = external
        } catch {
            return [await gatewayProblem(error, forwarding, &state)]
        }
        var problems: [Problem] = []
        // Mappings no longer wanted, or pointing to an address the Service no longer has.
        for (port, made) in state.made.sorted(by: { $0.key < $1.key })
        where !forwarding.ports.contains(port) || made.client != forwarding.internalClient {
            do {
                try await deleteFromEither(port, made, on: gateway)
                state.made[port] = nil
            } catch {
                problems.append(await failureProblem("cannot delete the mapping of \(port)", error, forwarding, &state))
                if gatewayGone(error) { return problems }
            }
        }
        for port in forwarding.ports {
            do {
                if let problem = try await map(port, forwarding, on: gateway, &state) {
                    problems.append(problem)
                }
            } catch {
                problems.append(await failureProblem("cannot map \(port)", error, forwarding, &state))
                if gatewayGone(error) { return problems }
            }
        }
        let mapped = forwarding.ports.filter { state.made[$0] != nil }
        let event = UPnPEvent.forwarded(
            forwarding.service, gateway: gateway.description, externalAddress: state.externalAddress, ports: mapped,
            leaseDuration: state.permanentOnly ? 0 : forwarding.leaseDuration)
        if event != state.lastReport {
            state.lastReport = event
            logger.info(
                "gateway \(state.externalAddress.map { "\($0)" } ?? "?") forwards \(mapped.map(\.description).joined(separator: ", ")) to \(source)")
            report(event)
        }
        return problems
    }

    private func currentGateway(_ forwarding: PortForwarding, _ state: inout State) async throws -> InternetGateway {
        if let gateway = state.gateway, state.gatewayInterface == forwarding.interface { return gateway }
        let gateway = try await call("discover") {
            try await gateways.gateway(interface: forwarding.interface, source: forwarding.internalClient)
        }
        state.gateway = gateway
        state.gatewayInterface = forwarding.interface
        return gateway
    }

    /// Maps one port unless someone else has it; a problem for a conflict or a refusal.
    private func map(
        _ port: ForwardedPort, _ forwarding: PortForwarding, on gateway: InternetGateway, _ state: inout State
    ) async throws -> Problem? {
        let source = forwarding.internalClient
        let existing = try await call("GetSpecificPortMappingEntry") {
            try await control.portMapping(externalPort: port.port, protocol: port.protocol, on: gateway, source: source)
        }
        if let existing, existing.internalClient != forwarding.internalClient {
            state.made[port] = nil
            return conflict(port, existing, forwarding)
        }
        let ours = state.made[port].flatMap { $0.client == source ? $0.description : nil }
        var fresh = existing == nil
        if let existing, existing.description != (ours ?? forwarding.mappingDescription) || existing.internalPort != port.port {
            // A mapping to this address that another node made (the previous holder, or upstream kube-vip). Gateways
            // keep the description of a mapping added again, so it is made anew under this node's name: should the
            // previous holder come back, it sees the mapping is no longer its own to delete.
            try await call("DeletePortMapping") {
                try await control.deletePortMapping(externalPort: port.port, protocol: port.protocol, on: gateway, source: source)
            }
            fresh = true
        }
        var mapping = PortMapping(
            externalPort: port.port, protocol: port.protocol, internalClient: forwarding.internalClient,
            internalPort: port.port, description: forwarding.mappingDescription,
            leaseDuration: state.permanentOnly ? 0 : forwarding.leaseDuration)
        var permanentProblem: Problem?
        do {
            try await add(mapping, on: gateway, source: source)
        } catch UPnPFailure.fault(let error) where error.code == UPnPError.onlyPermanentLeasesSupported && mapping.leaseDuration != 0 {
            state.permanentOnly = true
            mapping.leaseDuration = 0
            try await add(mapping, on: gateway, source: source)
            permanentProblem = Problem(
                reason: "UPnPPermanentMapping",
                message: "the gateway \(gateway.control.host) only accepts permanent mappings (UPnP error 725); \(port) is mapped without a lease and deleted when \(forwarding.node) stops forwarding it",
                settled: true)
        } catch UPnPFailure.fault(let error) where error.code == UPnPError.conflictInMappingEntry {
            state.made[port] = nil
            let owner = try? await control.portMapping(
                externalPort: port.port, protocol: port.protocol, on: gateway, source: source)
            return conflict(port, owner, forwarding)
        }
        var description = ours ?? mapping.description
        if fresh {
            // What the gateway stored (some shorten descriptions), which is what a later deletion compares with.
            let stored = try await call("GetSpecificPortMappingEntry") {
                try await control.portMapping(externalPort: port.port, protocol: port.protocol, on: gateway, source: source)
            }
            description = stored?.description ?? mapping.description
        }
        state.made[port] = Made(client: forwarding.internalClient, description: description)
        return permanentProblem
    }

    private func conflict(_ port: ForwardedPort, _ owner: PortMapping?, _ forwarding: PortForwarding) -> Problem {
        let who =
            if let owner {
                "to \(owner.internalClient):\(owner.internalPort)" + (owner.description.isEmpty ? "" : " ('\(owner.description)')")
            } else {
                "to another host"
            }
        return Problem(
            reason: "UPnPPortConflict",
            message: "the gateway already forwards external port \(port) \(who); not forwarding it to \(forwarding.internalClient) (UPnP error 718 ConflictInMappingEntry)",
            settled: true)
    }

    private func add(_ mapping: PortMapping, on gateway: InternetGateway, source: IPAddress) async throws {
        try await call("AddPortMapping") {
            try await control.addPortMapping(mapping, on: gateway, source: source)
        }
    }

    /// Deletes a mapping this forwarder made, unless it now belongs to someone else.
    private func delete(_ port: ForwardedPort, _ made: Made, on gateway: InternetGateway, source: IPAddress?) async throws {
        let current = try await call("GetSpecificPortMappingEntry") {
            try await control.portMapping(externalPort: port.port, protocol: port.protocol, on: gateway, source: source)
        }
        guard let current else { return }
        guard current.internalClient == made.client, current.description == made.description else {
            logger.debug("not deleting \(port): the gateway's mapping is no longer ours (\(current.internalClient), '\(current.description)')")
            return
        }
        try await call("DeletePortMapping") {
            try await control.deletePortMapping(externalPort: port.port, protocol: port.protocol, on: gateway, source: source)
        }
    }

    /// Deletes a mapping to an address the Service no longer forwards to: from that address while it is still
    /// on the node (a gateway in secure mode insists), else from the node's own.
    private func deleteFromEither(_ port: ForwardedPort, _ made: Made, on gateway: InternetGateway) async throws {
        do {
            try await delete(port, made, on: gateway, source: made.client)
        } catch let failure as UPnPFailure where failure.suggestsRediscovery {
            try await delete(port, made, on: gateway, source: nil)
        }
    }

    /// Deletes every mapping made, bounded by the deletion budget: an unreachable gateway must not hold up the
    /// address's withdrawal for long.
    private func deleteAll(_ state: State) async {
        guard let gateway = state.gateway, !state.made.isEmpty else { return }
        // Handed over through the instance rather than captured by the child task: with this toolchain (6.3.1,
        // Linux) a child task capturing `IPAddress` values next to async calls crashed (a jump to null).
        leftovers.withLock { $0 = Leftovers(gateway: gateway, made: state.made) }
        let clock = self.clock
        let budget = schedule.deletionBudget
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.deleteLeftovers() }
            group.addTask { try? await clock.sleep(for: budget) }
            await group.next()
            group.cancelAll()
        }
    }

    private struct Leftovers: Sendable {
        var gateway: InternetGateway
        var made: [ForwardedPort: Made]
    }

    private func deleteLeftovers() async {
        guard let leftovers = leftovers.withLock({ $0 }) else { return }
        for (port, mapping) in leftovers.made.sorted(by: { $0.key < $1.key }) {
            do {
                try await deleteFromEither(port, mapping, on: leftovers.gateway)
                logger.debug("deleted the mapping of \(port)")
            } catch {
                logger.warning("cannot delete the gateway's mapping of \(port): \(Self.explain(error))")
            }
        }
    }

    // MARK: - Failures

    private func gatewayGone(_ error: any Error) -> Bool {
        (error as? UPnPFailure)?.suggestsRediscovery ?? true
    }

    /// A failure to find or talk to the gateway: forget it, so the next pass discovers again.
    private func gatewayProblem(_ error: any Error, _ forwarding: PortForwarding, _ state: inout State) async -> Problem {
        if let gateway = state.gateway, gatewayGone(error) {
            state.gateway = nil
            await gateways.forget(gateway, interface: forwarding.interface)
        }
        if case .noGateway(let reason)? = error as? UPnPFailure {
            return Problem(
                reason: "UPnPGatewayNotFound",
                message: "no UPnP Internet gateway answered on \(forwarding.interface) (\(reason)); asking again")
        }
        return Problem(reason: "UPnPGatewayFailed", message: "the UPnP gateway failed: \(Self.explain(error))")
    }

    private func failureProblem(
        _ what: String, _ error: any Error, _ forwarding: PortForwarding, _ state: inout State
    ) async -> Problem {
        if gatewayGone(error) { return await gatewayProblem(error, forwarding, &state) }
        return Problem(reason: "UPnPMappingRefused", message: "\(what): \(Self.explain(error))")
    }

    static func explain(_ error: any Error) -> String {
        guard let failure = error as? UPnPFailure else { return "\(error)" }
        if case .fault(let fault) = failure { return fault.meaning }
        return failure.description
    }

    private func reportProblems(_ problems: [Problem], _ forwarding: PortForwarding, _ state: inout State) {
        let keys = Set(problems.map { "\($0.reason): \($0.message)" })
        for problem in problems where !state.reported.contains("\(problem.reason): \(problem.message)") {
            logger.warning("\(problem.message)")
            report(.problem(forwarding.service, reason: problem.reason, message: problem.message))
        }
        state.reported = keys
    }

    /// Runs one request and counts its outcome.
    private func call<T>(_ action: String, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            metrics.request(action, result: "ok")
            return result
        } catch {
            metrics.request(action, result: UPnPMetrics.result(of: error))
            throw error
        }
    }

    private func stopped(within duration: Duration) async -> Bool {
        guard !isStopRequested, !Task.isCancelled else { return true }
        await bell.wait(atMost: duration, on: clock)
        return isStopRequested || Task.isCancelled
    }
}
