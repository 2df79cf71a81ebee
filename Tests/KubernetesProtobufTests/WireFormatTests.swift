import KubernetesModels
import KubernetesProtobuf
import Testing

@Suite("Protobuf wire format")
struct WireFormatTests {
    @Test("unknown fields of every wire type are skipped")
    func unknownFieldsSkipped() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { raw in
            raw.varint(90, 12345)
            raw.fixed64(91, 0x0102_0304_0506_0708)
            raw.bytes(92, [1, 2, 3])
            raw.fixed32(93, 7)
            raw.message(1) {
                $0.string(1, "cm")
                $0.varint(99, 1)
            }
            raw.mapEntry(2, "k", "v")
        }
        let object = try KubernetesProtobuf.decodeObject(body)
        #expect(object == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cm"], "data": ["k": "v"]])
    }

    @Test("a known field with the wrong wire type is an error naming the field")
    func wrongWireType() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { raw in
            raw.message(1) { $0.varint(1, 5) }
        }
        let error = try #require(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decodeObject(body) }
        #expect(error.description == "ObjectMeta.name (field 1) has wire type varint, expected length-delimited")
    }

    @Test("groups (wire types 3 and 4) are rejected")
    func groups() {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { raw in raw.tag(50, 3) }
        #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decodeObject(body) }
    }

    @Test("a length that runs past the end of its message is an error")
    func lengthPastEnd() {
        var body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { raw in raw.string(3, "abc") }
        body[body.count - 1] = 0x7f
        #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decodeObject(body) }
    }

    @Test("a varint longer than ten bytes is an error")
    func overlongVarint() {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { raw in
            raw.tag(90, 0)
            raw.bytes += Array(repeating: 0xff, count: 10) + [0x01]
        }
        #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decodeObject(body) }
    }

    @Test("field number zero is an error")
    func fieldZero() {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { raw in raw.rawVarint(0) }
        #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decodeObject(body) }
    }

    @Test("a negative int32 (ten-byte varint) reads back negative")
    func negativeInt32() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "Service") { raw in
            raw.message(2) { spec in spec.message(1) { $0.varint(3, -1) } }
        }
        let object = try KubernetesProtobuf.decodeObject(body)
        #expect(object[path: "spec", "ports"] == [["port": -1]])
    }

    @Test("a repeated field split across several occurrences is one list, in order")
    func repeatedAcrossOccurrences() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "Namespace") { raw in
            raw.message(1) {
                $0.string(14, "a")
                $0.string(1, "ns")
                $0.string(14, "b")
            }
        }
        let object = try KubernetesProtobuf.decodeObject(body)
        #expect(object[path: "metadata", "finalizers"] == ["a", "b"])
    }

    @Test("a repeated map key keeps the last value, as Go's map decoding does")
    func duplicateMapKey() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { raw in
            raw.mapEntry(2, "k", "first")
            raw.mapEntry(2, "k", "second")
        }
        #expect(try KubernetesProtobuf.decodeObject(body)["data"] == ["k": "second"])
    }

    @Test("a map entry without a value reads as the empty value")
    func mapEntryWithoutValue() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { raw in
            raw.message(2) { $0.string(1, "empty") }
        }
        #expect(try KubernetesProtobuf.decodeObject(body)["data"] == ["empty": ""])
    }

    @Test("invalid UTF-8 in a string becomes the replacement character, as Go's JSON encoder writes it")
    func invalidUTF8() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { raw in
            raw.message(2) {
                $0.string(1, "k")
                $0.bytes(2, [0x61, 0xff, 0x62])
            }
        }
        #expect(try KubernetesProtobuf.decodeObject(body)["data"] == ["k": "a\u{FFFD}b"])
    }
}
