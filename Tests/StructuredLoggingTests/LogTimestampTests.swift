import Foundation
import StructuredLogging
import Testing

@Suite("Log timestamps")
struct LogTimestampTests {
    @Test(
        "are RFC 3339 in UTC with milliseconds",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"),
            (1_709_251_199_123, "2024-02-29T23:59:59.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
        ])
    func knownInstants(milliseconds: Int64, expected: String) {
        #expect(LogTimestamp(millisecondsSince1970: milliseconds).rfc3339 == expected)
    }

    @Test("agree with Foundation's ISO 8601 formatter across four centuries")
    func agreeWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SeededGenerator(state: 1970)
        for _ in 0..<2000 {
            // Whole seconds plus milliseconds, so Foundation's floating-point Date cannot round differently.
            let seconds = Int64.random(in: -2_208_988_800...10_413_792_000, using: &generator)
            let milliseconds = Int64.random(in: 0...999, using: &generator)
            let timestamp = LogTimestamp(millisecondsSince1970: seconds * 1000 + milliseconds)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds) + TimeInterval(milliseconds) / 1000 + 0.0001)
            #expect(timestamp.rfc3339 == formatter.string(from: date), "\(seconds).\(milliseconds)")
        }
    }

    @Test("now() reads the real-time clock")
    func nowIsWallClock() {
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let now = LogTimestamp.now().millisecondsSince1970
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(now >= before - 1 && now <= after + 1)
    }
}
