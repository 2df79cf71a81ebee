import KubernetesModels
import KubernetesProtobuf
import Testing

/// Request bodies come from the network: whatever the bytes, decoding must end in a value or an error.
@Suite("Malformed protobuf input")
struct MalformedInputTests {
    @Test("every truncation of every kubectl fixture throws or decodes", arguments: KubectlFixtures.all.map(\.name))
    func truncations(name: String) throws {
        let bytes = try #require(KubectlFixtures.all.first { $0.name == name }).bytes
        var decoded = 0
        for length in 0..<bytes.count {
            if (try? KubernetesProtobuf.decodeObject(bytes[..<length])) != nil { decoded += 1 }
        }
        // Cutting inside a field always breaks a length. Only three cuts fall between fields: before `raw`
        // (an empty object of the kind), and before each of the empty contentEncoding and contentType
        // fields (`1a 00 22 00`) that kubectl appends after `raw`.
        #expect(decoded == 3)
    }

    @Test("random byte flips in every kubectl fixture throw or decode", arguments: KubectlFixtures.all.map(\.name))
    func byteFlips(name: String) throws {
        let original = try #require(KubectlFixtures.all.first { $0.name == name }).bytes
        var random = SeededGenerator(seed: UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }))
        for _ in 0..<400 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] = UInt8.random(in: 0...255, using: &random)
            }
            if let object = try? KubernetesProtobuf.decodeObject(bytes) {
                #expect(object.apiVersion != nil && object.kind != nil)
            }
        }
    }

    @Test("random garbage after the magic throws or decodes")
    func garbage() {
        var random = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let length = Int.random(in: 0...64, using: &random)
            let tail = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = try? KubernetesProtobuf.decodeObject(KubernetesProtobuf.magic + tail)
        }
    }

    @Test("a declared length of 2^63 is rejected, not allocated")
    func hugeLength() {
        var writer = ProtoWriter()
        writer.tag(2, 2)
        writer.rawVarint(1 << 63)
        #expect(throws: ProtobufDecodingError.self) {
            try KubernetesProtobuf.decodeObject(KubernetesProtobuf.magic + writer.bytes)
        }
    }
}
