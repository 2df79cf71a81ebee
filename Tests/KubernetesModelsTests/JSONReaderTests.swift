import Foundation
import KubernetesModels
import Testing

@Suite("JSON reader")
struct JSONReaderTests {
    static let values: [(text: String, value: JSONValue)] = [
        ("null", .null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        (" \t\r\n 1 \n", .int(1)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("-12", .int(-12)),
        ("9223372036854775807", .int(.max)),
        ("-9223372036854775808", .int(.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("-9223372036854775809", .double(-9_223_372_036_854_775_808)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
        ("1.5", .double(1.5)),
        ("-0.0", .double(-0.0)),
        ("1.0", .double(1)),
        ("1e2", .double(100)),
        ("1E+2", .double(100)),
        ("25e-1", .double(2.5)),
        ("0.1", .double(0.1)),
        ("2.2250738585072014e-308", .double(2.2250738585072014e-308)),
        ("5e-324", .double(.leastNonzeroMagnitude)),
        ("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
        ("1e-400", .double(0)),
        (#""""#, .string("")),
        (#""plain""#, .string("plain")),
        (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{c}\n\r\t")),
        (#""\u0000""#, .string("\u{0}")),
        (#""a\u00e9b""#, .string("aéb")),
        (#""\u20AC""#, .string("€")),
        (#""\ud83d\ude00""#, .string("😀")),
        (#""\uD83D\uDE00x""#, .string("😀x")),
        ("\"raw é € 😀\"", .string("raw é € 😀")),
        ("\"\u{7f}\"", .string("\u{7f}")),
        ("[]", .array([])),
        (" [ 1 , \"a\" , [ ] , { } ] ", .array([1, "a", [], [:]])),
        ("{}", .object([:])),
        (#"{"a":1,"b":{"c":[true,null]}}"#, ["a": 1, "b": ["c": [true, nil]]]),
        (#"{"a":1,"a":2}"#, ["a": 2]),
        (#"{"a":{"x":1},"a":"last"}"#, ["a": "last"]),
        (#"{"\u0061":1}"#, ["a": 1]),
    ]

    @Test("reads every kind of value", arguments: values)
    func readsValue(text: String, value: JSONValue) throws {
        #expect(try JSONValue(parsing: Array(text.utf8)) == value)
    }

    @Test("keeps the sign of negative zero in doubles")
    func negativeZero() throws {
        #expect(try JSONValue(parsing: Array("-0.0".utf8)).doubleBits == (-0.0 as Double).bitPattern)
    }

    static let errors: [(text: String, message: String)] = [
        ("", "unexpected end of JSON input at offset 0"),
        ("  ", "unexpected end of JSON input at offset 2"),
        ("[1,]", "invalid character ']' looking for beginning of value at offset 3"),
        (#"{"a":1,}"#, "invalid character '}' looking for beginning of object key string at offset 7"),
        (#"{"a" 1}"#, "invalid character '1' after object key at offset 5"),
        (#"{"a":1 "b":2}"#, "invalid character '\"' after object key:value pair at offset 7"),
        ("[1 2]", "invalid character '2' after array element at offset 3"),
        ("{1:2}", "invalid character '1' looking for beginning of object key string at offset 1"),
        ("01", "invalid character '1' after leading zero in numeric literal at offset 1"),
        ("-01", "invalid character '1' after leading zero in numeric literal at offset 2"),
        ("-", "unexpected end of JSON input at offset 1"),
        ("-a", "invalid character 'a' in numeric literal at offset 1"),
        ("+1", "invalid character '+' looking for beginning of value at offset 0"),
        ("1.", "unexpected end of JSON input at offset 2"),
        (".5", "invalid character '.' looking for beginning of value at offset 0"),
        ("1.e5", "invalid character 'e' after decimal point in numeric literal at offset 2"),
        ("1e", "unexpected end of JSON input at offset 2"),
        ("1e+", "unexpected end of JSON input at offset 3"),
        ("1ex", "invalid character 'x' in exponent of numeric literal at offset 2"),
        ("1e400", "number 1e400 is out of range at offset 0"),
        ("-1e400", "number -1e400 is out of range at offset 0"),
        ("NaN", "invalid character 'N' looking for beginning of value at offset 0"),
        ("Infinity", "invalid character 'I' looking for beginning of value at offset 0"),
        ("tru", "unexpected end of JSON input at offset 3"),
        ("trUe", "invalid character 'U' in literal true (expecting 'u') at offset 2"),
        ("nul", "unexpected end of JSON input at offset 3"),
        ("1 2", "invalid character '2' after top-level value at offset 2"),
        ("{} x", "invalid character 'x' after top-level value at offset 3"),
        (#""abc"#, "unexpected end of JSON input at offset 4"),
        ("\"a\nb\"", "invalid character '\\n' in string literal at offset 2"),
        ("\"a\tb\"", "invalid character '\\t' in string literal at offset 2"),
        ("\"\u{1}\"", "invalid character '\\x01' in string literal at offset 1"),
        ("\"\u{0}\"", "invalid character '\\x00' in string literal at offset 1"),
        (#""\x""#, "invalid character 'x' in string escape code at offset 2"),
        (#""\'""#, "invalid character '\\'' in string escape code at offset 2"),
        (#""\u12""#, "invalid character '\"' in \\u hexadecimal character escape at offset 5"),
        (#""\u12G4""#, "invalid character 'G' in \\u hexadecimal character escape at offset 5"),
        (#""\ud83d""#, "unpaired surrogate in \\u escape at offset 1"),
        (#""x\ud83dx""#, "unpaired surrogate in \\u escape at offset 2"),
        (#""\ud83d\u0041""#, "unpaired surrogate in \\u escape at offset 1"),
        (#""\ud83d\ud83d""#, "unpaired surrogate in \\u escape at offset 1"),
        (#""\ude00""#, "unpaired surrogate in \\u escape at offset 1"),
        ("[", "unexpected end of JSON input at offset 1"),
        ("[1", "unexpected end of JSON input at offset 2"),
        (#"{"a""#, "unexpected end of JSON input at offset 4"),
        (#"{"a":"#, "unexpected end of JSON input at offset 5"),
        ("'a'", "invalid character '\\'' looking for beginning of value at offset 0"),
        ("/* */ 1", "invalid character '/' looking for beginning of value at offset 0"),
        ("\u{feff}1", "invalid character '\\xef' looking for beginning of value at offset 0"),
    ]

    @Test("rejects malformed JSON with Go's wording and the byte offset", arguments: errors)
    func rejects(text: String, message: String) {
        #expect(throws: JSONParseError(message)) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test("rejects invalid UTF-8 inside strings")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x5B, 0x22, 0x61, 0xC3, 0x28, 0x22, 0x5D]  // ["a<bad>(" ]
        #expect(throws: JSONParseError("invalid UTF-8 in string literal at offset 1")) {
            try JSONValue(parsing: bytes)
        }
        for bad in [[0x5C, 0x6E, 0xFF], [0xFF, 0x5C, 0x6E], [0xF0, 0x9F, 0x5C, 0x6E]] as [[UInt8]] {
            #expect(throws: JSONParseError("invalid UTF-8 in string literal at offset 0")) {
                try JSONValue(parsing: [0x22] + bad + [0x22])
            }
        }
    }

    @Test("accepts nesting up to 512 levels and names the limit beyond")
    func depthLimit() throws {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try JSONValue(parsing: Array(deepest.utf8)) }
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONParseError("exceeded max depth of 512 nested arrays and objects at offset 512")) {
            try JSONValue(parsing: Array(tooDeep.utf8))
        }
        let objects = String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(throws: JSONParseError("exceeded max depth of 512 nested arrays and objects at offset 2560")) {
            try JSONValue(parsing: Array(objects.utf8))
        }
    }

    @Test("reads from Data, slices and non-contiguous collections alike")
    func inputKinds() throws {
        let text = #"{"kind":"Service","spec":{"ports":[{"port":80}]}}"#
        let expected: JSONValue = ["kind": "Service", "spec": ["ports": [["port": 80]]]]
        #expect(try JSONValue(parsing: Data(text.utf8)) == expected)
        let padded = Data(("xx" + text + "yy").utf8)
        #expect(try JSONValue(parsing: padded.dropFirst(2).dropLast(2)) == expected)
        #expect(try JSONValue(parsing: Array(text.utf8)[...]) == expected)
        #expect(try JSONValue(parsing: text.utf8) == expected)
        #expect(try JSONValue(parsing: AnyCollection(Array(text.utf8))) == expected)
    }
}

extension JSONValue {
    fileprivate var doubleBits: UInt64? {
        if case .double(let value) = self { return value.bitPattern }
        return nil
    }
}
