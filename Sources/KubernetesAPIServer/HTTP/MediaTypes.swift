import KubernetesModels

/// One entry of an `Accept` or `Content-Type` header: `type/subtype;key=value;...`.
struct MediaType: Sendable, Equatable {
    var type: String
    var parameters: [String: String]

    init(type: String, parameters: [String: String] = [:]) {
        self.type = type
        self.parameters = parameters
    }

    init(parsing text: Substring) {
        let parts = text.split(separator: ";")
        type = parts.first.map { $0.trimmingSpaces.lowercased() } ?? ""
        var parameters: [String: String] = [:]
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            parameters[pair[0].trimmingSpaces.lowercased()] = pair[1].trimmingSpaces.trimmingQuotes
        }
        self.parameters = parameters
    }

    /// Every entry of an `Accept` header, in the client's order of preference.
    static func list(_ header: String?) -> [MediaType] {
        guard let header, !header.isEmpty else { return [] }
        return header.split(separator: ",").map { MediaType(parsing: $0) }.filter { !$0.type.isEmpty }
    }
}

/// How a resource response is shaped, chosen from `Accept`.
///
/// kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io` first and plain JSON as a fallback;
/// everything is answered in JSON (protobuf is only ever *read*), so protobuf and discovery-document entries
/// are skipped in favour of the next one the client lists.
enum ResponseForm: Sendable, Equatable {
    case object
    case table

    static func negotiate(accept header: String?) throws(Status) -> ResponseForm {
        let entries = MediaType.list(header)
        if entries.isEmpty { return .object }
        for entry in entries {
            if let asKind = entry.parameters["as"] {
                if asKind == "Table", entry.parameters["g"] == "meta.k8s.io",
                    ["v1", "v1beta1"].contains(entry.parameters["v"] ?? ""), entry.isJSONCompatible
                {
                    return .table
                }
                continue
            }
            if entry.isJSONCompatible { return .object }
        }
        throw Status(
            code: 406, reason: .notAcceptable,
            message: "only the following media types are accepted: application/json, "
                + "application/json;as=Table;v=v1;g=meta.k8s.io")
    }
}

extension MediaType {
    /// Whether a JSON answer satisfies this entry.
    fileprivate var isJSONCompatible: Bool {
        ["application/json", "application/*", "*/*", "*"].contains(type)
    }
}

/// The encoding of a request body that carries a whole object (POST, PUT).
enum ObjectBodyFormat: Sendable, Equatable {
    case json
    case yaml
    case protobuf

    /// kube-apiserver treats a missing `Content-Type` as JSON.
    static func from(contentType header: String?) throws(Status) -> ObjectBodyFormat {
        let type = header.map { MediaType(parsing: $0[...]).type } ?? ""
        switch type {
        case "", "application/json": return .json
        case "application/yaml", "application/x-yaml", "text/yaml": return .yaml
        case "application/vnd.kubernetes.protobuf": return .protobuf
        default:
            throw Status(
                code: 415, reason: .unsupportedMediaType,
                message: "the body of the request was in an unknown format - accepted media types include: "
                    + "application/json, application/yaml, application/vnd.kubernetes.protobuf")
        }
    }
}

/// The four PATCH flavours, named by their `Content-Type`.
enum PatchFormat: Sendable, Equatable {
    case jsonPatch
    case mergePatch
    case strategicMergePatch
    case apply

    static func from(contentType header: String?) throws(Status) -> PatchFormat {
        switch header.map({ MediaType(parsing: $0[...]).type }) ?? "" {
        case "application/json-patch+json": return .jsonPatch
        case "application/merge-patch+json": return .mergePatch
        case "application/strategic-merge-patch+json": return .strategicMergePatch
        case "application/apply-patch+yaml": return .apply
        default:
            throw Status(
                code: 415, reason: .unsupportedMediaType,
                message: "the body of the request was in an unknown format - accepted media types include: "
                    + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, "
                    + "application/strategic-merge-patch+json")
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map { index(after: $0) } ?? start
        return self[start..<Swift.max(start, end)]
    }

    fileprivate var trimmingQuotes: String {
        String(count >= 2 && first == "\"" && last == "\"" ? dropFirst().dropLast() : self)
    }
}
