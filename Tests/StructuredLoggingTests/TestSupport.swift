import Foundation
import Logging
import StructuredLogging
import Synchronization
import Testing

/// Lines a handler wrote, kept in memory in the order they arrived.
final class CollectedLines: Sendable {
    private let lines = Mutex<[[UInt8]]>([])

    var output: LogLineOutput {
        LogLineOutput { [self] line in self.lines.withLock { $0.append(line) } }
    }

    var texts: [String] { lines.withLock { $0.map { String(decoding: $0, as: UTF8.self) } } }
}

/// A line parsed back with Foundation's parser: an independent check that what the formatter writes is JSON.
func parsedObject(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    #expect(line.hasSuffix("\n"), "a line ends with a newline: \(line.debugDescription)", sourceLocation: sourceLocation)
    #expect(
        line.dropLast().allSatisfy { $0 != "\n" && $0 != "\r" }, "one line only: \(line.debugDescription)",
        sourceLocation: sourceLocation)
    let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
    return try #require(object as? [String: Any], "a JSON object: \(line)", sourceLocation: sourceLocation)
}

func record(
    _ message: String = "hello", level: Logger.Level = .info, metadata: Logger.Metadata = [:], error: String? = nil
) -> JSONLogRecord {
    JSONLogRecord(
        time: LogTimestamp(millisecondsSince1970: 1_709_251_199_123), level: level, logger: "kube-vip.test",
        message: message, metadata: metadata, error: error, source: "NodeAgent", file: "NodeAgent/AgentLoop.swift",
        line: 42)
}

/// SplitMix64: the same "random" strings on every run, so a failure can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
