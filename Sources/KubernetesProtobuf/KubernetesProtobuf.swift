import KubernetesModels

/// Kubernetes' protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`), decoded into
/// the same JSON values the rest of the server works with.
///
/// kubectl 1.32 and later send `kubectl create configmap|secret|namespace|deployment|service` as protobuf
/// and do not fall back to JSON when refused, so the embedded API server must read at least those kinds.
public enum KubernetesProtobuf {
    public static let contentType = "application/vnd.kubernetes.protobuf"

    /// `k8s\0`, the prefix that tells a protobuf body from anything else.
    public static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    /// Larger bodies are refused before any parsing (kube-apiserver's own request limit is 3 MiB).
    public static let maximumBodySize = 16 * 1024 * 1024

    /// Decodes a body that starts with the magic `k8s\0` followed by a runtime.Unknown envelope into the
    /// object's JSON form (apiVersion, kind, metadata, data/spec...), as kube-apiserver would see it.
    public static func decodeObject(_ bytes: some Collection<UInt8>) throws(ProtobufDecodingError) -> JSONValue {
        guard bytes.count <= maximumBodySize else {
            throw ProtobufDecodingError("protobuf body of \(bytes.count) bytes exceeds \(maximumBodySize) bytes")
        }
        let body = Array(bytes)
        guard body.starts(with: magic) else {
            throw ProtobufDecodingError("protobuf body does not start with the magic bytes \"k8s\\x00\"")
        }
        var reader = WireReader(body, from: magic.count)
        let envelope = try RuntimeUnknown(&reader)
        guard !envelope.kind.isEmpty, !envelope.apiVersion.isEmpty else {
            throw ProtobufDecodingError("protobuf object has no apiVersion and kind in its envelope")
        }
        guard envelope.contentEncoding.isEmpty else {
            throw ProtobufDecodingError(
                "protobuf object has unsupported content encoding \"\(envelope.contentEncoding)\"")
        }
        var object = try decodeRaw(envelope)
        object["apiVersion"] = .string(envelope.apiVersion)
        object["kind"] = .string(envelope.kind)
        return .object(object)
    }

    /// Whether ``decodeObject(_:)`` can read objects of this kind.
    public static func supports(apiVersion: String, kind: String) -> Bool {
        descriptors[apiVersion]?[kind] != nil
    }

    /// Every (apiVersion, kind) that ``decodeObject(_:)`` can read.
    public static var supportedKinds: [(apiVersion: String, kind: String)] {
        descriptors.flatMap { apiVersion, kinds in kinds.keys.map { (apiVersion, $0) } }
            .sorted { ($0.apiVersion, $0.kind) < ($1.apiVersion, $1.kind) }
    }

    static let descriptors: [String: [String: MessageDescriptor]] = [
        "v1": [
            "ConfigMap": .configMap, "Secret": .secret, "Namespace": .namespace, "Service": .service,
        ],
        "apps/v1": ["Deployment": .deployment],
    ]

    private static func decodeRaw(_ envelope: RuntimeUnknown) throws(ProtobufDecodingError) -> [String: JSONValue] {
        switch envelope.contentType {
        case "", contentType:
            guard let descriptor = descriptors[envelope.apiVersion]?[envelope.kind] else {
                throw ProtobufDecodingError(
                    "the protobuf encoding of \(envelope.kind) (\(envelope.apiVersion)) is not supported by this "
                        + "server; send it as JSON (Content-Type: application/json)",
                    isUnsupportedKind: true)
            }
            var reader = WireReader(envelope.raw)
            return try MessageDecoder.decode(&reader, as: descriptor)
        case "application/json":
            let value: JSONValue
            do {
                value = try JSONValue(parsing: envelope.raw)
            } catch {
                throw ProtobufDecodingError("the JSON inside the protobuf envelope is invalid: \(error)")
            }
            guard case .object(let members) = value else {
                throw ProtobufDecodingError("the JSON inside the protobuf envelope is not an object")
            }
            return members
        default:
            throw ProtobufDecodingError(
                "protobuf envelope holds unsupported content type \"\(envelope.contentType)\"")
        }
    }
}
