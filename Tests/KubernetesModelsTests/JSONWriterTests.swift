import Foundation
import KubernetesModels
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
    static let texts: [(value: JSONValue, text: String)] = [
        (.null, "null"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.int(0), "0"),
        (.int(-7), "-7"),
        (.int(.max), "9223372036854775807"),
        (.int(.min), "-9223372036854775808"),
        (.array([]), "[]"),
        (.object([:]), "{}"),
        ([1, "a", nil, [true]], #"[1,"a",null,[true]]"#),
        (["b": 1, "a": ["d": 2, "c": 3], "B": 0, "aa": 4], #"{"B":0,"a":{"c":3,"d":2},"aa":4,"b":1}"#),
        (["é": 1, "z": 2, "€": 3], #"{"z":2,"é":1,"€":3}"#),
    ]

    @Test("writes compact JSON with sorted keys", arguments: texts)
    func writes(value: JSONValue, text: String) {
        #expect(String(decoding: value.serialized(), as: UTF8.self) == text)
        #expect(value.serializedBytes() == Array(text.utf8))
    }

    static let strings: [(value: String, text: String)] = [
        ("", #""""#),
        ("plain", #""plain""#),
        ("a\"b\\c", #""a\"b\\c""#),
        ("a/b", #""a/b""#),
        ("\n\r\t\u{8}\u{c}", #""\n\r\t\b\f""#),
        ("\u{0}\u{1}\u{1f}", #""\u0000\u0001\u001f""#),
        ("\u{7f}", "\"\u{7f}\""),
        ("é € 😀", "\"é € 😀\""),
        ("<&>", #""<&>""#),
        ("\u{2028}", "\"\u{2028}\""),
    ]

    @Test("escapes only quotes, backslashes and control characters", arguments: strings)
    func escapes(value: String, text: String) {
        #expect(String(decoding: JSONValue.string(value).serialized(), as: UTF8.self) == text)
    }

    /// Go's `strconv.FormatFloat(f, 'f' or 'e', -1, 64)` choice, as `encoding/json` makes it.
    static let doubles: [(value: Double, text: String)] = [
        (1.5, "1.5"),
        (-1.5, "-1.5"),
        (3, "3"),
        (100, "100"),
        (0, "0"),
        (-0.0, "-0"),
        (0.1, "0.1"),
        (0.000001, "0.000001"),
        (0.0000001, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (123.456, "123.456"),
        (1e16, "10000000000000000"),
        (1.2345e17, "123450000000000000"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (.leastNonzeroMagnitude, "5e-324"),
        (.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        (9_223_372_036_854_775_808, "9223372036854776000"),
        (0.30000000000000004, "0.30000000000000004"),
        (.nan, "null"),
        (.infinity, "null"),
        (-.infinity, "null"),
    ]

    @Test("writes doubles in their shortest form, in plain notation where Go would", arguments: doubles)
    func writesDouble(value: Double, text: String) {
        #expect(String(decoding: JSONValue.double(value).serialized(), as: UTF8.self) == text)
    }

    @Test("every finite double written reads back as the same number", arguments: doubles.map(\.value))
    func doubleRoundTrip(value: Double) throws {
        guard value.isFinite else { return }
        let read = try JSONValue(parsing: JSONValue.double(value).serialized())
        switch read {
        case .double(let number): #expect(number == value)
        case .int(let number): #expect(Double(number) == value)
        default: Issue.record("read \(read) for \(value)")
        }
    }

    @Test("equal values give equal bytes whatever order their members were inserted in")
    func canonicalBytes() {
        var first: [String: JSONValue] = [:]
        var second: [String: JSONValue] = [:]
        let keys = (0..<200).map { "key\($0)" }
        for key in keys { first[key] = .string(key) }
        for key in keys.reversed() { second[key] = .string(key) }
        #expect(JSONValue.object(first).serialized() == JSONValue.object(second).serialized())
    }

    @Test("Codable encoding still produces the same JSON")
    func codable() throws {
        let value: JSONValue = ["spec": ["ports": [["port": 80, "name": "http"]]], "ratio": 0.5, "ok": true]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try JSONValue(parsing: encoder.encode(value)) == value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: value.serialized()) == value)
        #expect(try JSONValue(encoding: value) == value)
    }
}
