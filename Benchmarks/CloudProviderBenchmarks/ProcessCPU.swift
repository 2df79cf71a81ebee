import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// CPU time a process has used (user + system), read from `/proc/<pid>/stat`.
///
/// Sampled from outside the process so that the controller under test carries no measuring code, and so
/// that its whole process counts: the allocator, its watches' JSON decoding, HTTP, logging and the runtime.
struct ProcessCPU: Sendable, Hashable, Comparable {
    /// Clock ticks (`sysconf(_SC_CLK_TCK)`, 100 per second on Linux: a resolution of 10 ms).
    let ticks: Int64

    static func < (lhs: ProcessCPU, rhs: ProcessCPU) -> Bool { lhs.ticks < rhs.ticks }

    static let ticksPerSecond: Int64 = {
        let value = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return value > 0 ? value : 100
    }()

    /// The process's utime + stime now.
    static func sample(pid: Int32) throws -> ProcessCPU {
        let path = "/proc/\(pid)/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw BenchmarkFailure.setup("cannot read \(path): has process \(pid) exited?")
        }
        return try ProcessCPU(statLine: text)
    }

    /// Parses a `stat` line. The command name (field 2) is in parentheses and may hold spaces or parentheses,
    /// so fields are counted from the last `)`: after it come field 3 (state) onwards, so utime (field 14)
    /// and stime (field 15) are the 12th and 13th.
    init(statLine: String) throws {
        guard let close = statLine.lastIndex(of: ")") else {
            throw BenchmarkFailure.setup("unreadable /proc stat line: \(statLine.prefix(80))")
        }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int64(fields[11]), let system = Int64(fields[12]) else {
            throw BenchmarkFailure.setup("unreadable /proc stat line: \(statLine.prefix(80))")
        }
        ticks = user + system
    }

    init(ticks: Int64) {
        self.ticks = ticks
    }

    /// Milliseconds of CPU from `earlier` to `self`.
    func milliseconds(since earlier: ProcessCPU) -> Int {
        Int((ticks - earlier.ticks) * 1_000 / Self.ticksPerSecond)
    }
}

extension ProcessCPU {
    /// Samples `pids` every 200 ms until none of them used any CPU for two samples in a row (or `limit`
    /// passed), and returns the last samples. The polling measures when the processes fall idle; nothing
    /// waits on it for correctness.
    static func whenIdle(pids: [Int32], limit: Duration = .seconds(15)) async throws -> [ProcessCPU] {
        var last = try pids.map { try sample(pid: $0) }
        var quietSamples = 0
        let deadline = ContinuousClock.now + limit
        while quietSamples < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            let now = try pids.map { try sample(pid: $0) }
            quietSamples = now == last ? quietSamples + 1 : 0
            last = now
        }
        return last
    }
}
