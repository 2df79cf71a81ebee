import KubernetesModels
import KubernetesProtobuf
import Testing

@Suite("The k8s\\0 envelope")
struct EnvelopeTests {
    @Test("a body without the magic prefix is rejected")
    func missingMagic() {
        #expect(throws: ProtobufDecodingError.self) {
            try KubernetesProtobuf.decodeObject(Array("{\"kind\":\"ConfigMap\"}".utf8))
        }
    }

    @Test("an empty body is rejected")
    func emptyBody() {
        #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decodeObject([UInt8]()) }
    }

    @Test("the magic alone has no kind and is rejected")
    func magicOnly() {
        #expect(throws: ProtobufDecodingError("protobuf object has no apiVersion and kind in its envelope")) {
            try KubernetesProtobuf.decodeObject(KubernetesProtobuf.magic)
        }
    }

    @Test("an unsupported kind names the kind and suggests JSON")
    func unsupportedKind() throws {
        let body = ProtoWriter.envelope(apiVersion: "apps/v1", kind: "StatefulSet") {
            $0.message(1) { $0.string(1, "db") }
        }
        let error = try #require(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decodeObject(body) }
        #expect(error.isUnsupportedKind)
        #expect(error.description.contains("StatefulSet"))
        #expect(error.description.contains("application/json"))
    }

    @Test("a kind is looked up together with its group version")
    func kindNeedsMatchingGroupVersion() {
        let body = ProtoWriter.envelope(apiVersion: "apps/v1", kind: "ConfigMap") { _ in }
        #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decodeObject(body) }
        #expect(KubernetesProtobuf.supports(apiVersion: "v1", kind: "ConfigMap"))
        #expect(!KubernetesProtobuf.supports(apiVersion: "apps/v1", kind: "ConfigMap"))
    }

    @Test("a compressed raw object is rejected rather than misread")
    func contentEncoding() {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap", contentEncoding: "gzip") { _ in }
        #expect(throws: ProtobufDecodingError("protobuf object has unsupported content encoding \"gzip\"")) {
            try KubernetesProtobuf.decodeObject(body)
        }
    }

    @Test("a raw object in JSON is read as JSON, with the envelope's apiVersion and kind")
    func jsonRaw() throws {
        var unknown = ProtoWriter()
        unknown.message(1) {
            $0.string(1, "v1")
            $0.string(2, "ConfigMap")
        }
        unknown.string(2, #"{"metadata":{"name":"x"},"data":{"k":"v"}}"#)
        unknown.string(4, "application/json")
        let object = try KubernetesProtobuf.decodeObject(KubernetesProtobuf.magic + unknown.bytes)
        #expect(object == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"], "data": ["k": "v"]])
    }

    @Test("an unknown content type inside the envelope is rejected")
    func unknownContentType() {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap", contentType: "application/yaml") { _ in }
        #expect(throws: ProtobufDecodingError.self) { try KubernetesProtobuf.decodeObject(body) }
    }

    @Test("the supported kinds are the ones kubectl create sends as protobuf")
    func supportedKinds() {
        let kinds = KubernetesProtobuf.supportedKinds.map { "\($0.apiVersion) \($0.kind)" }
        #expect(kinds == ["apps/v1 Deployment", "v1 ConfigMap", "v1 Namespace", "v1 Secret", "v1 Service"])
    }

    @Test("the decoder accepts any collection of bytes, not only arrays")
    func acceptsSlices() throws {
        let padded = [0xff] + KubectlFixtures.namespaceDev
        let object = try KubernetesProtobuf.decodeObject(padded.dropFirst())
        #expect(object.metadataName == "dev")
    }
}
