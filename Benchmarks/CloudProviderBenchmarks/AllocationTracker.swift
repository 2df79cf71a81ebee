import KubernetesModels

/// Follows the benchmark's Services (from the watch) until each one is settled: it carries its address, or
/// the controller refused it (the overlap layout cannot hold every Service without duplicates, see
/// `OverlapLayout`; refusals are read from the controller's log, see `RefusalLogLine`).
///
/// Records the instant the last one settles, so the time to "all allocated" does not include how long the
/// benchmark takes to notice.
actor AllocationTracker {
    struct Progress: Sendable, CustomStringConvertible {
        var expected: Int
        var allocated: Int
        var refused: Int
        var settled: Int
        var description: String { "\(settled) of \(expected) settled (\(allocated) allocated, \(refused) refused)" }
    }

    private let expected: Int
    private let requiresIngress: Bool
    /// Service (`namespace/name`) → its recorded address annotation.
    private(set) var addresses: [String: String] = [:]
    /// Service → the reason it was refused for.
    private(set) var refusals: [String: String] = [:]
    private var settled = 0
    private let completion: AsyncStream<ContinuousClock.Instant>
    private let completed: AsyncStream<ContinuousClock.Instant>.Continuation

    /// - Parameter requiresIngress: with `--write-status` a Service has its address only once
    ///   `status.loadBalancer.ingress` shows it too (what `kubectl get svc` prints as EXTERNAL-IP).
    init(expected: Int, requiresIngress: Bool) {
        self.expected = expected
        self.requiresIngress = requiresIngress
        (completion, completed) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    var progress: Progress {
        Progress(
            expected: expected, allocated: addresses.count,
            refused: refusals.keys.filter { addresses[$0] == nil }.count, settled: settled)
    }

    /// A Service as the watch delivered it.
    func observe(service: JSONValue) {
        guard let key = Self.benchmarkKey(service),
            let annotation = service[path: "metadata", "annotations", OverlapLayout.addressAnnotation]?.stringValue,
            !annotation.isEmpty
        else { return }
        if requiresIngress {
            guard case .array(let ingress)? = service[path: "status", "loadBalancer", "ingress"], !ingress.isEmpty
            else { return }
        }
        if addresses.updateValue(annotation, forKey: key) == nil, refusals[key] == nil {
            settle()
        }
    }

    /// A refusal the controller logged; only the benchmark's Services count.
    func observe(refusal: RefusalLogLine) {
        let parts = refusal.service.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let key = Self.benchmarkKey(namespace: parts[0], name: parts[1]) else { return }
        if refusals.updateValue(refusal.reason, forKey: key) == nil, addresses[key] == nil {
            settle()
        }
    }

    /// Waits until every Service is settled and returns the instant the last one was; nil if cancelled.
    nonisolated func completionInstant() async -> ContinuousClock.Instant? {
        for await instant in completion { return instant }
        return nil
    }

    /// How many Services were refused, by Event reason (Services that got an address later not counted).
    var refusalReasons: [String: Int] {
        var counts: [String: Int] = [:]
        for (key, reason) in refusals where addresses[key] == nil {
            counts[reason, default: 0] += 1
        }
        return counts
    }

    /// Ends the wait without completion (a watch failed: nothing more will arrive).
    func abandon() {
        completed.finish()
    }

    private func settle() {
        settled += 1
        if settled == expected {
            completed.yield(.now)
            completed.finish()
        }
    }

    private static func benchmarkKey(_ object: JSONValue) -> String? {
        benchmarkKey(namespace: object.metadataNamespace, name: object.metadataName)
    }

    private static func benchmarkKey(namespace: String?, name: String?) -> String? {
        guard let namespace, let name, name.hasPrefix("svc-"), namespace.hasPrefix("ns-") else { return nil }
        return "\(namespace)/\(name)"
    }
}
