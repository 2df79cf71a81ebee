import Foundation
import Logging
import StructuredLogging
import Testing

@Suite("The JSON log handler")
struct JSONLogHandlerTests {
    private func logger(
        _ lines: CollectedLines, level: Logger.Level = .info, provider: Logger.MetadataProvider? = nil
    ) -> Logger {
        Logger(label: "kube-vip.test") { label in
            JSONLogHandler(
                label: label, logLevel: level, metadataProvider: provider, output: lines.output,
                clock: { LogTimestamp(millisecondsSince1970: 0) })
        }
    }

    @Test("writes one parseable line per log call, labelled with the logger's label")
    func oneLinePerCall() throws {
        let lines = CollectedLines()
        let log = logger(lines)
        log.info("first")
        log.warning("second")
        #expect(lines.texts.count == 2)
        let objects = try lines.texts.map { try parsedObject($0) }
        #expect(objects.map { $0["message"] as? String } == ["first", "second"])
        #expect(objects.allSatisfy { $0["logger"] as? String == "kube-vip.test" })
        #expect(objects.allSatisfy { $0["time"] as? String == "1970-01-01T00:00:00.000Z" })
    }

    @Test("writes nothing below its level")
    func levelFiltering() throws {
        let lines = CollectedLines()
        let log = logger(lines, level: .notice)
        log.trace("t")
        log.debug("d")
        log.info("i")
        log.notice("n")
        log.error("e")
        #expect(try lines.texts.map { try parsedObject($0)["level"] as? String } == ["notice", "error"])
    }

    @Test("shows where a debug line was logged")
    func debugSourceLocation() throws {
        let lines = CollectedLines()
        var log = logger(lines)
        log.logLevel = .debug
        log.debug("detail")
        let object = try parsedObject(try #require(lines.texts.first))
        #expect(object["file"] as? String == #fileID)
        #expect(object["source"] as? String == "StructuredLoggingTests")
        #expect((object["line"] as? Int ?? 0) > 0)
    }

    @Test("merges the handler's, the provider's and the call's metadata, the call winning")
    func metadataMerge() throws {
        let lines = CollectedLines()
        var log = logger(lines, provider: Logger.MetadataProvider { ["request": "r-1", "shared": "provider"] })
        log[metadataKey: "role"] = "manager"
        log[metadataKey: "shared"] = "handler"
        log.info("merged", metadata: ["shared": "call", "service": "default/web"])
        let object = try parsedObject(try #require(lines.texts.first))
        let metadata = try #require(object["metadata"] as? [String: String])
        #expect(metadata == ["role": "manager", "request": "r-1", "shared": "call", "service": "default/web"])
    }

    @Test("writes the error given to the log call")
    func errorOfTheCall() throws {
        struct Refused: Error, CustomStringConvertible { var description: String { "connection refused" } }
        let lines = CollectedLines()
        logger(lines).error("cannot reach the API", error: Refused())
        #expect(try parsedObject(try #require(lines.texts.first))["error"] as? String == "connection refused")
    }

    @Test("hands whole lines to the output when many tasks log at once")
    func concurrentTasks() async throws {
        let lines = CollectedLines()
        let log = logger(lines)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for index in 0..<50 { log.info("line", metadata: ["task": "\(task)", "index": "\(index)"]) }
                }
            }
        }
        let objects = try lines.texts.map { try parsedObject($0) }
        #expect(objects.count == 16 * 50)
        let pairs = Set(objects.compactMap { ($0["metadata"] as? [String: String]).map { "\($0["task"] ?? "")/\($0["index"] ?? "")" } })
        #expect(pairs.count == 16 * 50)
    }
}

@Suite("--log-format")
struct LogFormatTests {
    @Test("accepts text and json")
    func names() {
        #expect(LogFormat.allCases.map(\.rawValue) == ["text", "json"])
        #expect(LogFormat(rawValue: "json") == .json)
        #expect(LogFormat(rawValue: "logfmt") == nil)
    }

    @Test("json makes the JSON handler at the given level")
    func jsonHandler() throws {
        let handler = try #require(LogFormat.json.handler(label: "kube-vip.x", level: .debug) as? JSONLogHandler)
        #expect(handler.label == "kube-vip.x")
        #expect(handler.logLevel == .debug)
    }

    @Test("text keeps swift-log's stream handler at the given level")
    func textHandler() throws {
        let handler = try #require(LogFormat.text.handler(label: "kube-vip.x", level: .warning) as? StreamLogHandler)
        #expect(handler.logLevel == .warning)
    }
}
