import Foundation
import KubernetesModels
import Testing

@Suite("Kubernetes timestamps")
struct ResourceTimeTests {
    @Test("MicroTime writes exactly six fractional digits in UTC")
    func microTimeFormat() {
        let time = MicroTime(microsecondsSinceEpoch: 1_714_564_800_123_456)
        #expect(time.description == "2024-05-01T12:00:00.123456Z")
        #expect(MicroTime(microsecondsSinceEpoch: 0).description == "1970-01-01T00:00:00.000000Z")
    }

    @Test("MicroTime reads any fraction length and numeric offsets")
    func microTimeParse() {
        #expect(MicroTime(rfc3339: "2024-05-01T12:00:00.123456Z")?.microsecondsSinceEpoch == 1_714_564_800_123_456)
        #expect(MicroTime(rfc3339: "2024-05-01T12:00:00.5Z")?.microsecondsSinceEpoch == 1_714_564_800_500_000)
        #expect(MicroTime(rfc3339: "2024-05-01T12:00:00.123456789Z")?.microsecondsSinceEpoch == 1_714_564_800_123_456)
        #expect(MicroTime(rfc3339: "2024-05-01T14:00:00+02:00")?.microsecondsSinceEpoch == 1_714_564_800_000_000)
        #expect(MicroTime(rfc3339: "2024-05-01T12:00:00") == nil)
        #expect(MicroTime(rfc3339: "2024-13-01T12:00:00Z") == nil)
        #expect(MicroTime(rfc3339: "yesterday") == nil)
    }

    @Test("dates before 1970 and on leap days convert both ways")
    func calendarEdges() {
        for text in ["1969-12-31T23:59:59.999999Z", "2000-02-29T00:00:00.000000Z", "2100-03-01T00:00:00.000001Z"] {
            #expect(MicroTime(rfc3339: text)?.description == text)
        }
    }

    @Test("Timestamp writes whole seconds and drops a fraction on input")
    func timestamp() throws {
        #expect(Timestamp(secondsSinceEpoch: 1_714_564_800).description == "2024-05-01T12:00:00Z")
        #expect(Timestamp(rfc3339: "2024-05-01T12:00:00.9Z")?.secondsSinceEpoch == 1_714_564_800)
        let decoded = try JSONDecoder().decode([Timestamp].self, from: Data(#"["2024-05-01T12:00:00Z"]"#.utf8))
        #expect(decoded == [Timestamp(secondsSinceEpoch: 1_714_564_800)])
    }

    @Test("a malformed timestamp fails decoding with the text quoted")
    func malformed() {
        #expect {
            try JSONDecoder().decode([MicroTime].self, from: Data(#"["not a time"]"#.utf8))
        } throws: { error in
            "\(error)".contains("not a time")
        }
    }
}
