import KubernetesModels
import KubernetesProtobuf
import Testing

@Suite("ObjectMeta from protobuf")
struct ObjectMetaDecodingTests {
    static func configMap(_ metadata: @escaping (inout ProtoWriter) -> Void) throws -> JSONValue {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { $0.message(1, metadata) }
        return try #require(try KubernetesProtobuf.decodeObject(body)["metadata"])
    }

    @Test("every described field, with owner references and finalizers")
    func allFields() throws {
        let metadata = try Self.configMap { meta in
            meta.string(1, "web")
            meta.string(2, "web-")
            meta.string(3, "default")
            meta.string(5, "6f1c4e0e-1111-2222-3333-444455556666")
            meta.string(6, "42")
            meta.varint(7, 3)
            meta.message(8) {
                $0.varint(1, 1_795_712_400)
                $0.varint(2, 123_000_000)
            }
            meta.varint(10, 30)
            meta.mapEntry(11, "app", "web")
            meta.mapEntry(12, "note", "x")
            meta.message(13) {
                $0.string(1, "Deployment")
                $0.string(3, "web")
                $0.string(4, "uid-1")
                $0.string(5, "apps/v1")
                $0.bool(6, true)
            }
            meta.string(14, "example.com/cleanup")
        }
        #expect(
            metadata == [
                "name": "web", "generateName": "web-", "namespace": "default",
                "uid": "6f1c4e0e-1111-2222-3333-444455556666", "resourceVersion": "42", "generation": 3,
                "creationTimestamp": "2026-11-26T17:00:00Z", "deletionGracePeriodSeconds": 30,
                "labels": ["app": "web"], "annotations": ["note": "x"],
                "ownerReferences": [
                    ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "uid-1", "controller": true]
                ],
                "finalizers": ["example.com/cleanup"],
            ])
    }

    @Test("an empty Time message is the zero time and is left out")
    func zeroTime() throws {
        let metadata = try Self.configMap { meta in
            meta.string(1, "x")
            meta.message(8) { _ in }
        }
        #expect(metadata == ["name": "x"])
    }

    @Test("the epoch itself is a real time, not the zero time")
    func epoch() throws {
        let metadata = try Self.configMap { meta in meta.message(8) { $0.varint(1, 0) } }
        #expect(metadata["creationTimestamp"] == "1970-01-01T00:00:00Z")
    }

    @Test("a time outside the years 0001-9999 is rejected, as Go's JSON encoder would")
    func timeOutOfRange() {
        #expect(throws: ProtobufDecodingError.self) {
            try Self.configMap { meta in meta.message(8) { $0.varint(1, 400_000_000_000) } }
        }
    }

    @Test("zero scalars of omitempty fields are left out, as Go's JSON writes them")
    func omitEmpty() throws {
        let metadata = try Self.configMap { meta in
            meta.string(1, "x")
            meta.string(2, "")
            meta.varint(7, 0)
        }
        #expect(metadata == ["name": "x"])
    }

    @Test("an owner reference keeps required fields even when empty")
    func ownerReferenceRequiredFields() throws {
        let metadata = try Self.configMap { meta in
            meta.message(13) {
                $0.string(1, "")
                $0.string(4, "u")
            }
        }
        #expect(metadata["ownerReferences"] == [["kind": "", "uid": "u"]])
    }
}
