import Foundation
import KubernetesModels
import Yams

/// YAML request bodies (`kubectl create -f x.yaml` may send them, and server-side apply is declared as YAML)
/// turned into the same `JSONValue` a JSON body gives, the way sigs.k8s.io/yaml converts YAML to JSON:
/// plain scalars take their resolved type, quoted ones stay strings, and map keys are strings.
enum YAMLDocument {
    struct DecodingError: Error, Sendable, Equatable {
        var message: String
    }

    static func parse(_ text: String) throws(DecodingError) -> JSONValue {
        let node: Node?
        do {
            // The encoding is explicit: Yams' default consults the environment.
            node = try compose(yaml: text, .default, .default, .utf8)
        } catch {
            throw DecodingError(message: String(describing: error).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard let node else { return .null }
        return try value(of: node)
    }

    private static func value(of node: Node) throws(DecodingError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar, tag: node.tag.rawValue)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try value(of: item)) }
            return .array(items)
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, item) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw DecodingError(message: "a mapping key must be a scalar")
                }
                members[keyScalar.string] = try value(of: item)
            }
            return .object(members)
        case .alias:
            throw DecodingError(message: "YAML aliases are not supported")
        }
    }

    private static func scalarValue(_ scalar: Node.Scalar, tag: String) -> JSONValue {
        let node = Node.scalar(scalar)
        switch tag {
        case Tag.Name.null.rawValue:
            return .null
        case Tag.Name.bool.rawValue:
            return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
        case Tag.Name.int.rawValue:
            return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
        case Tag.Name.float.rawValue:
            return node.float.map(JSONValue.double) ?? .string(scalar.string)
        default:
            return .string(scalar.string)
        }
    }
}
