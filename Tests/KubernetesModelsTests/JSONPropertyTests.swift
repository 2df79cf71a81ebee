import Foundation
import KubernetesModels
import PropertyBased
import Testing

@Suite("JSON reader and writer properties")
struct JSONPropertyTests {
    @Test("reading what was written gives the value back")
    func roundTrip() async throws {
        await propertyCheck(count: 500, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var generator = JSONRandomDocument(seed: seed)
            let value = generator.value()
            let written = value.serialized()
            let read = try JSONValue(parsing: written)
            #expect(read == value, "\(text(value))")
        }
    }

    @Test("merge-patch shaped documents survive the round trip too")
    func roundTripRandomJSON() async {
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var generator = RandomJSON(seed: seed)
            let value = generator.patch()
            let read = try JSONValue(parsing: value.serialized())
            #expect(read == value, "\(text(value))")
        }
    }

    @Test("writing is canonical: a value read back writes the same bytes")
    func canonical() async {
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var generator = JSONRandomDocument(seed: seed)
            let written = generator.value().serialized()
            let rewritten = try JSONValue(parsing: written).serialized()
            #expect(rewritten == written)
        }
    }

    @Test("any valid spelling of a document reads as that document")
    func spellings() async {
        await propertyCheck(count: 500, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var generator = JSONRandomDocument(seed: seed)
            let value = generator.value()
            let spelled = generator.text(value)
            let read = try JSONValue(parsing: Array(spelled.utf8))
            #expect(read == value, "\(spelled)")
        }
    }

    @Test("agrees with Foundation's JSONSerialization on random documents")
    func agreesWithFoundation() async {
        await propertyCheck(count: 500, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var generator = JSONRandomDocument(seed: seed)
            let spelled = Data(generator.text(generator.value()).utf8)
            let foundation = try JSONSerialization.jsonObject(with: spelled, options: [.fragmentsAllowed])
            let read = try JSONValue(parsing: spelled)
            #expect(Self.agree(read, foundation), "\(String(decoding: spelled, as: UTF8.self))")
        }
    }

    @Test("accepts and rejects damaged documents as Foundation's JSONSerialization does")
    func damagedAgreesWithFoundation() async {
        await propertyCheck(count: 1000, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            Self.checkDamaged(seed: seed)
        }
    }

    @Test(
        "damaged documents that once disagreed",
        arguments: [3_474_340_054_623_101_185, 18_211_317_291_349_343_650] as [UInt64])
    func damagedRegressions(seed: UInt64) {
        Self.checkDamaged(seed: seed)
    }

    /// Printable damage only: a NUL byte near the start makes Foundation guess UTF-16 or UTF-32.
    static let damage = Array(#"{}[],:"\/ 0123456789.eE+-tfnulx"#.utf8) + [0x0A, 0x01, 0x80, 0xC3]

    static func checkDamaged(seed: UInt64) {
        var generator = JSONRandomDocument(seed: seed)
        var bytes = Array(generator.text(generator.value(depth: 2)).utf8)
        for _ in 0...Int.random(in: 0...2, using: &generator.random) {
            let index = Int.random(in: 0...bytes.count, using: &generator.random)
            let byte = damage[Int.random(in: 0..<damage.count, using: &generator.random)]
            switch Int.random(in: 0..<3, using: &generator.random) {
            case 0 where index < bytes.count: bytes.remove(at: index)
            case 1 where index < bytes.count: bytes[index] = byte
            default: bytes.insert(byte, at: index)
            }
        }
        let data = Data(bytes)
        let ours = Result { () throws(JSONParseError) in try JSONValue(parsing: data) }
        let theirs = Result { try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) }
        let document = String(decoding: data, as: UTF8.self)
        switch (ours, theirs) {
        case (.success(let value), .success(let object)):
            #expect(Self.agree(value, object), "\(document)")
        case (.failure, .failure): break
        case (.success, .failure(let error)): Issue.record("accepted what Foundation rejects (\(error)): \(document)")
        case (.failure(let error), .success):
            // Foundation accepts a trailing comma in arrays and objects; RFC 8259 and Go do not.
            let trailingComma = error.description.hasPrefix("invalid character ']' looking for beginning of value")
                || error.description.hasPrefix("invalid character '}' looking for beginning of object key string")
            if !trailingComma { Issue.record("rejected what Foundation accepts (\(error)): \(document)") }
        }
    }

    /// Whether a value equals what `JSONSerialization` produced, which keeps all numbers in `NSNumber`s.
    static func agree(_ value: JSONValue, _ object: Any) -> Bool {
        switch value {
        case .null: return object is NSNull
        case .string(let string): return (object as? String) == string
        case .bool(let flag):
            guard let number = object as? NSNumber, String(cString: number.objCType) == "c" else { return false }
            return number.boolValue == flag
        case .int(let integer):
            guard let number = object as? NSNumber, String(cString: number.objCType) != "c" else { return false }
            return number.int64Value == integer
        case .double(let double):
            guard let number = object as? NSNumber, String(cString: number.objCType) != "c" else { return false }
            // Foundation keeps long mantissas and large exponents as `NSDecimalNumber`, whose `doubleValue` can be
            // off by an ulp; its decimal text is exact, so that is what gets compared.
            return Double(number.description) == double
        case .array(let elements):
            guard let objects = object as? [Any], objects.count == elements.count else { return false }
            return zip(elements, objects).allSatisfy { agree($0, $1) }
        case .object(let members):
            guard let objects = object as? [String: Any], objects.count == members.count else { return false }
            return members.allSatisfy { key, member in objects[key].map { agree(member, $0) } ?? false }
        }
    }
}
