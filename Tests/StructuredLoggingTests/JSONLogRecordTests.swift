import Foundation
import Logging
import StructuredLogging
import Testing

@Suite("A JSON log line")
struct JSONLogRecordTests {
    @Test("holds time, level, logger and message under fixed names")
    func coreFields() throws {
        let object = try parsedObject(record("ready").jsonLineText)
        #expect(object["time"] as? String == "2024-02-29T23:59:59.123Z")
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "kube-vip.test")
        #expect(object["message"] as? String == "ready")
    }

    @Test("names every level as swift-log does", arguments: Logger.Level.allCases)
    func levelNames(level: Logger.Level) throws {
        let object = try parsedObject(record(level: level).jsonLineText)
        #expect(object["level"] as? String == level.rawValue)
    }

    @Test("is one line even when the message has newlines, tabs and carriage returns")
    func multilineMessage() throws {
        let message = "first\nsecond\r\nthird\tcolumn"
        let line = record(message).jsonLineText
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(try parsedObject(line)["message"] as? String == message)
    }

    @Test("escapes quotes and backslashes")
    func quotesAndBackslashes() throws {
        let message = #"path "C:\temp\" and \"quoted\" \\ end\"#
        #expect(try parsedObject(record(message).jsonLineText)["message"] as? String == message)
    }

    @Test("escapes every control character, U+0000 to U+001F")
    func controlCharacters() throws {
        let message = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init(_:))))
        let line = record(message).jsonLineText
        #expect(!line.utf8.dropLast().contains { $0 < 0x20 }, "no raw control byte: \(line.debugDescription)")
        #expect(try parsedObject(line)["message"] as? String == message)
        #expect(line.contains(#"\u0000"#) && line.contains(#"\u001f"#) && line.contains(#"\b"#) && line.contains(#"\f"#))
    }

    @Test("keeps non-ASCII text as UTF-8 rather than \\u escapes")
    func nonASCII() throws {
        let message = "Größe 名前 🚀 \u{2028}"
        let line = record(message).jsonLineText
        #expect(line.contains(message))
        #expect(!line.contains(#"\u"#))
        #expect(try parsedObject(line)["message"] as? String == message)
    }

    @Test("round-trips arbitrary text in messages, keys and values")
    func arbitraryText() throws {
        var generator = SeededGenerator(state: 8)
        // No U+FEFF: swift-corelibs-foundation's parser drops it from strings, which would fail the check
        // for a reason that is not the formatter's.
        let alphabet: [Unicode.Scalar] = (0..<0x80).compactMap(Unicode.Scalar.init(_:)) + ["é", "ß", "名", "🚀", "\u{2029}"]
        func text() -> String {
            let count = Int.random(in: 0...24, using: &generator)
            return String(String.UnicodeScalarView((0..<count).map { _ in alphabet.randomElement(using: &generator) ?? "a" }))
        }
        for _ in 0..<300 {
            let message = text()
            let key = text()
            let value = text()
            let object = try parsedObject(record(message, metadata: [key: .string(value)]).jsonLineText)
            #expect(object["message"] as? String == message)
            #expect((object["metadata"] as? [String: Any])?[key] as? String == value, "key \(key.debugDescription)")
        }
    }

    @Test("writes string metadata as strings and string-convertible values by their description")
    func scalarMetadata() throws {
        let object = try parsedObject(
            record(metadata: ["service": "default/web", "port": .stringConvertible(8080)]).jsonLineText)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["service"] as? String == "default/web")
        #expect(metadata["port"] as? String == "8080")
    }

    @Test("writes array metadata as a JSON array")
    func arrayMetadata() throws {
        let object = try parsedObject(record(metadata: ["addresses": ["198.51.100.1", "2001:db8::1"]]).jsonLineText)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["addresses"] as? [String] == ["198.51.100.1", "2001:db8::1"])
    }

    @Test("writes nested dictionary metadata as nested JSON objects")
    func nestedMetadata() throws {
        let metadata: Logger.Metadata = [
            "lease": ["namespace": "kube-system", "holder": ["node": "worker-1", "ids": ["a", "b"]]]
        ]
        let object = try parsedObject(record(metadata: metadata).jsonLineText)
        let lease = try #require((object["metadata"] as? [String: Any])?["lease"] as? [String: Any])
        #expect(lease["namespace"] as? String == "kube-system")
        let holder = try #require(lease["holder"] as? [String: Any])
        #expect(holder["node"] as? String == "worker-1")
        #expect(holder["ids"] as? [String] == ["a", "b"])
    }

    @Test("writes metadata keys in sorted order, so equal metadata gives equal lines")
    func sortedKeys() {
        let line = record(metadata: ["zone": "b", "alpha": "a", "middle": "m"]).jsonLineText
        #expect(line.contains(#""metadata":{"alpha":"a","middle":"m","zone":"b"}"#))
    }

    @Test("leaves metadata out when there is none")
    func noMetadata() throws {
        #expect(try parsedObject(record().jsonLineText)["metadata"] == nil)
    }

    @Test("carries the error passed to the log call")
    func errorField() throws {
        #expect(try parsedObject(record(error: "connection \"refused\"").jsonLineText)["error"] as? String == "connection \"refused\"")
        #expect(try parsedObject(record().jsonLineText)["error"] == nil)
    }

    @Test("shows source, file and line at debug and trace", arguments: [Logger.Level.trace, .debug])
    func sourceLocationWhenDebugging(level: Logger.Level) throws {
        let object = try parsedObject(record(level: level).jsonLineText)
        #expect(object["source"] as? String == "NodeAgent")
        #expect(object["file"] as? String == "NodeAgent/AgentLoop.swift")
        #expect(object["line"] as? Int == 42)
    }

    @Test("leaves source, file and line out from info up", arguments: [Logger.Level.info, .notice, .warning, .error, .critical])
    func noSourceLocationInProduction(level: Logger.Level) throws {
        let object = try parsedObject(record(level: level).jsonLineText)
        #expect(object["source"] == nil && object["file"] == nil && object["line"] == nil)
    }
}
