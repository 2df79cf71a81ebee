import Foundation
import KubernetesClient
import KubernetesModels

/// One iteration of the end-to-end benchmark: against a fresh embedded server and controller, create
/// N LoadBalancer Services as fast as the server accepts them and time until every one has its address,
/// reading the CPU each process used meanwhile.
struct CloudProviderScenario: Sendable {
    let settings: ScenarioSettings
    let writeStatus: Bool

    /// Runs the scenario; `measuring` brackets the timed region (first create → last Service settled) for the
    /// benchmark harness. Both children are stopped before this returns or throws.
    func run(measuring region: MeasuredRegion) async throws -> ScenarioResult {
        let binary = try settings.requireBinary()
        let cluster = try await BenchCluster.start(binary: binary, writeStatus: writeStatus)
        do {
            let result = try await measure(cluster, region: region)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    private func measure(_ cluster: BenchCluster, region: MeasuredRegion) async throws -> ScenarioResult {
        let count = settings.serviceCount
        let tracker = AllocationTracker(expected: count, requiresIngress: writeStatus)
        let services = ResourceFollower(client: cluster.client, resource: .services)
        let servicesVersion = try await services.currentVersion()
        let ownPID = getpid()

        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Self.untilDone(tracker) {
                    try await services.follow(from: servicesVersion) { await tracker.observe(service: $0) }
                }
            }
            // Refusals, which leave a Service without an address for good, are known from the log only.
            let controllerLog = cluster.controller.lines(on: .stderr)
            group.addTask {
                for await line in controllerLog {
                    if let refusal = RefusalLogLine(line) { await tracker.observe(refusal: refusal) }
                }
            }

            let controllerBefore = try ProcessCPU.sample(pid: cluster.controller.pid)
            let serverBefore = try ProcessCPU.sample(pid: cluster.server.pid)
            let ownBefore = try ProcessCPU.sample(pid: ownPID)
            region.start()
            let started = ContinuousClock.now
            try await ServiceCreator(client: cluster.client, count: count, concurrency: settings.createConcurrency)
                .createAll()
            let created = ContinuousClock.now
            let settled = await Self.completion(of: tracker, timeout: timeout)
            region.stop()
            let controllerAfter = try ProcessCPU.sample(pid: cluster.controller.pid)
            let serverAfter = try ProcessCPU.sample(pid: cluster.server.pid)
            let ownAfter = try ProcessCPU.sample(pid: ownPID)

            guard let settled else {
                group.cancelAll()
                try await group.waitForAll()  // a failed watch explains the wait better than the timeout does
                throw BenchmarkFailure.timedOut(
                    "\(await tracker.progress) after \(timeout)", stderr: cluster.controller.stderrTail())
            }
            let idle = try await ProcessCPU.whenIdle(pids: [cluster.controller.pid])
            group.cancelAll()

            let progress = await tracker.progress
            let reasons = await tracker.refusalReasons
            let audit = try await AllocationAudit.read(from: cluster.client)
            let result = ScenarioResult(
                serviceCount: count, writeStatus: writeStatus,
                createTime: created - started, allocatedTime: settled - started,
                controllerCPUMilliseconds: controllerAfter.milliseconds(since: controllerBefore),
                controllerSettledCPUMilliseconds: (idle.first ?? controllerAfter).milliseconds(since: controllerBefore),
                serverCPUMilliseconds: serverAfter.milliseconds(since: serverBefore),
                benchmarkCPUMilliseconds: ownAfter.milliseconds(since: ownBefore),
                allocated: audit.allocated, refused: progress.refused, refusalReasons: reasons,
                distinctAddresses: audit.distinctAddresses, duplicateAddresses: audit.duplicateAddresses)
            try check(result, audit: audit, progress: progress)
            return result
        }
    }

    /// The safety net for the wait: generous, since a 2-core machine shared with builds can be slow.
    private var timeout: Duration { .seconds(max(120, settings.serviceCount / 50)) }

    /// Runs a watch; if it fails, ends the wait for completion at once instead of at the timeout.
    private static func untilDone(_ tracker: AllocationTracker, _ watch: () async throws -> Void) async throws {
        do {
            try await watch()
        } catch {
            await tracker.abandon()
            throw error
        }
    }

    /// The instant the last Service settled; nil after `timeout` or when a watch failed.
    private static func completion(of tracker: AllocationTracker, timeout: Duration) async -> ContinuousClock.Instant? {
        await withTaskGroup(of: ContinuousClock.Instant?.self) { group in
            group.addTask { await tracker.completionInstant() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// A benchmark that measured a wrong outcome is worse than none: the server's view must agree with the
    /// watch's, and no address may be held twice.
    private func check(_ result: ScenarioResult, audit: AllocationAudit, progress: AllocationTracker.Progress) throws {
        var problems: [String] = []
        if audit.services != settings.serviceCount {
            problems.append("the server holds \(audit.services) benchmark Services, not \(settings.serviceCount)")
        }
        if audit.allocated != progress.allocated {
            problems.append(
                "the server shows \(audit.allocated) Services with an address, the watch saw \(progress.allocated)")
        }
        if writeStatus, audit.withIngress != audit.allocated {
            problems.append(
                "\(audit.allocated) Services have an address but \(audit.withIngress) show it in their status")
        }
        if audit.duplicateAddresses > 0 {
            problems.append("\(audit.duplicateAddresses) addresses are held by more than one Service")
        }
        if audit.allocated + progress.refused != settings.serviceCount {
            problems.append("\(audit.allocated) allocated + \(progress.refused) refused ≠ \(settings.serviceCount)")
        }
        if !problems.isEmpty {
            throw BenchmarkFailure.wrongResult(problems.joined(separator: "; ") + "\n" + result.summary)
        }
    }
}

/// Start and stop of the timed region, supplied by the benchmark harness.
struct MeasuredRegion {
    var start: () -> Void
    var stop: () -> Void
}
