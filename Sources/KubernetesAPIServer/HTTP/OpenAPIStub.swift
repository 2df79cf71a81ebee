import Foundation
import KubernetesModels

/// Just enough OpenAPI v3 for `kubectl apply` with its default `--validate=strict`.
///
/// kubectl only checks that the group-version document has a PATCH operation tagged with the kind's
/// `x-kubernetes-group-version-kind` and offering a `fieldValidation` parameter; it then leaves validation to
/// the server. Without the tag it falls back to `/openapi/v2`, which is deliberately absent (404), and fails.
/// No schemas are served, so field-level validation is not modelled.
enum OpenAPIStub {
    static func root(_ types: [ResourceType]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for type in types {
            let key = groupVersionPath(group: type.group, version: type.version)
            let document = groupVersion(group: type.group, version: type.version, in: types)
            paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash(of: document))")]
        }
        return ["paths": .object(paths)]
    }

    /// `nil` when no kind lives in that group-version.
    static func groupVersion(group: String, version: String, in types: [ResourceType]) -> JSONValue? {
        let members = types.filter { $0.group == group && $0.version == version }
        guard !members.isEmpty else { return nil }
        let prefix = "/" + groupVersionPath(group: group, version: version)
        var paths: [String: JSONValue] = [:]
        for type in members {
            let itemPath =
                type.namespaced
                ? "\(prefix)/namespaces/{namespace}/\(type.resource)/{name}" : "\(prefix)/\(type.resource)/{name}"
            paths[itemPath] = ["patch": patchOperation(for: type)]
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": .string(Discovery.gitVersion)],
            "paths": .object(paths), "components": ["schemas": [:]],
        ]
    }

    private static func patchOperation(for type: ResourceType) -> JSONValue {
        [
            "operationId": .string("patch\(type.kind)"),
            "parameters": [
                ["name": "fieldValidation", "in": "query", "schema": ["type": "string"]],
                ["name": "fieldManager", "in": "query", "schema": ["type": "string"]],
                ["name": "dryRun", "in": "query", "schema": ["type": "string"]],
            ],
            "responses": ["200": ["description": "OK"]],
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": [
                "group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind),
            ],
        ]
    }

    private static func groupVersionPath(group: String, version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    /// FNV-1a of the document, so kubectl's openapi cache (keyed by this hash) notices a changed document.
    private static func hash(of document: JSONValue?) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in document?.serialized() ?? Data() {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return String(value, radix: 16, uppercase: true)
    }
}
