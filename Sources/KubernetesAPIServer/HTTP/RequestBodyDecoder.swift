import Foundation
import KubernetesModels
import KubernetesProtobuf

/// Request bodies turned into `JSONValue`s, with kube-apiserver's 400 wording when they cannot be read.
enum RequestBodyDecoder {
    /// kube-apiserver refuses bodies over 3 MiB; so do we, before buffering more.
    static let maximumSize = 3 * 1024 * 1024

    static func object(_ bytes: [UInt8], format: ObjectBodyFormat) throws(Status) -> JSONValue {
        switch format {
        case .json: return try json(bytes)
        case .yaml: return try yaml(bytes)
        case .protobuf:
            do {
                return try KubernetesProtobuf.decodeObject(bytes)
            } catch where error.isUnsupportedKind {
                throw Status(
                    code: 415, reason: .unsupportedMediaType,
                    message: "protobuf is not supported for this kind, send JSON: \(error.description)")
            } catch {
                throw Status.badRequest("error decoding the request body as protobuf: \(error.description)")
            }
        }
    }

    static func json(_ bytes: [UInt8]) throws(Status) -> JSONValue {
        guard !bytes.isEmpty else { throw Status.badRequest("error decoding the request body as JSON: empty body") }
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw Status.badRequest("error decoding the request body as JSON: \(error.description)")
        }
    }

    static func yaml(_ bytes: [UInt8]) throws(Status) -> JSONValue {
        do {
            return try YAMLDocument.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw Status.badRequest("error decoding the request body as YAML: \(error.message)")
        }
    }

    /// Server-side apply is declared as YAML, but kubectl sends JSON; JSON is tried first for its exact numbers.
    static func applyConfiguration(_ bytes: [UInt8]) throws(Status) -> JSONValue {
        if let value = try? JSONValue(parsing: bytes) { return value }
        return try yaml(bytes)
    }
}
