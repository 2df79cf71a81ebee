import KubernetesModels

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A wall-clock instant at millisecond resolution, formatted as RFC 3339 in UTC.
public struct LogTimestamp: Sendable, Hashable, Comparable {
    public let millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// The system's real-time clock; log lines are correlated with other machines' logs, so not a monotonic one.
    public static func now() -> LogTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return LogTimestamp(millisecondsSince1970: Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000)
    }

    public static func < (lhs: LogTimestamp, rhs: LogTimestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    /// `2024-02-29T23:59:59.123Z`: always UTC, always three fraction digits, so lines sort as text; written
    /// by the same arithmetic as Kubernetes' timestamps (no shared formatter to lock, no time zone database).
    public var rfc3339: String {
        RFC3339.format(microseconds: millisecondsSince1970 * 1000, fractionDigits: 3)
    }
}
