import KubernetesModels
import KubernetesProtobuf
import Testing

@Suite("ConfigMap and Secret from protobuf")
struct ConfigMapAndSecretDecodingTests {
    @Test("immutable is a pointer in Go, so an explicit false is kept")
    func immutableFalse() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { raw in
            raw.message(1) { $0.string(1, "cm") }
            raw.bool(4, false)
        }
        #expect(try KubernetesProtobuf.decodeObject(body)["immutable"] == false)
    }

    @Test("a Secret's stringData stays text, its data becomes base64, immutable and type are kept")
    func secretFields() throws {
        let body = ProtoWriter.envelope(apiVersion: "v1", kind: "Secret") { raw in
            raw.message(1) { $0.string(1, "tls") }
            raw.message(2) {
                $0.string(1, "tls.key")
                $0.bytes(2, [0x00, 0x01, 0xfe])
            }
            raw.string(3, "kubernetes.io/tls")
            raw.mapEntry(4, "note", "plain text")
            raw.bool(5, true)
        }
        #expect(
            try KubernetesProtobuf.decodeObject(body) == [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "tls"], "data": ["tls.key": "AAH+"],
                "type": "kubernetes.io/tls", "stringData": ["note": "plain text"], "immutable": true,
            ])
    }
}
