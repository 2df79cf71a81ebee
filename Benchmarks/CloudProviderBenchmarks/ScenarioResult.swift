/// What one iteration measured, and what the Services ended up holding.
struct ScenarioResult: Sendable {
    var serviceCount: Int
    var writeStatus: Bool
    /// First create sent → last create answered.
    var createTime: Duration
    /// First create sent → last Service settled (carries its address, or refused).
    var allocatedTime: Duration
    /// Controller CPU from just before the first create until the last Service settled.
    var controllerCPUMilliseconds: Int
    /// The same until the controller went idle (it still digests the echoes of its last writes).
    var controllerSettledCPUMilliseconds: Int
    /// Server CPU over the same span as `controllerCPUMilliseconds`: the creates, the controller's writes,
    /// and both sides' watches.
    var serverCPUMilliseconds: Int
    /// The benchmark process's own CPU (its client creating, and its watches decoding every change).
    var benchmarkCPUMilliseconds: Int

    var allocated: Int
    var refused: Int
    var refusalReasons: [String: Int]
    var distinctAddresses: Int
    /// Addresses recorded on more than one Service: must be 0.
    var duplicateAddresses: Int

    /// CPU milliseconds per 1,000 Services.
    func perThousand(_ milliseconds: Int) -> Int {
        serviceCount > 0 ? milliseconds * 1_000 / serviceCount : 0
    }

    /// One line for stderr and the README.
    var summary: String {
        let reasons = refusalReasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return """
            cloud-provider e2e\(writeStatus ? " --write-status" : ""): \(serviceCount) Services; \
            created in \(Self.milliseconds(createTime)) ms, all settled in \(Self.milliseconds(allocatedTime)) ms \
            (\(allocated) allocated, \(refused) refused\(reasons.isEmpty ? "" : ": \(reasons)"); \
            \(distinctAddresses) distinct addresses, \(duplicateAddresses) duplicates); \
            controller CPU \(controllerCPUMilliseconds) ms = \(perThousand(controllerCPUMilliseconds)) ms per 1000 \
            (until idle \(controllerSettledCPUMilliseconds) ms = \
            \(perThousand(controllerSettledCPUMilliseconds)) ms per 1000); \
            server CPU \(serverCPUMilliseconds) ms; benchmark client CPU \(benchmarkCPUMilliseconds) ms
            """
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
