import KubernetesModels

/// RFC 6902 JSON Patch (`application/json-patch+json`), applied to a `JSONValue`.
///
/// Errors are `Status` values: a patch document that is not a list of operations is a 400, an operation that
/// cannot apply (missing path, failed `test`) is a 422, matching kube-apiserver.
struct JSONPatch: Sendable, Equatable {
    enum Operation: Sendable, Equatable {
        case add(path: [String], value: JSONValue)
        case remove(path: [String])
        case replace(path: [String], value: JSONValue)
        case move(from: [String], path: [String])
        case copy(from: [String], path: [String])
        case test(path: [String], value: JSONValue)
    }

    var operations: [Operation]

    init(operations: [Operation]) {
        self.operations = operations
    }

    init(document: JSONValue) throws(Status) {
        guard let items = document.arrayValue else {
            throw Status.badRequest("json patch must be a list of operations")
        }
        var operations: [Operation] = []
        for item in items {
            operations.append(try Self.operation(item))
        }
        self.operations = operations
    }

    func apply(to document: JSONValue) throws(Status) -> JSONValue {
        var result = document
        for operation in operations {
            switch operation {
            case .add(let path, let value):
                try Self.insert(value, at: path[...], into: &result)
            case .remove(let path):
                _ = try Self.remove(at: path[...], from: &result)
            case .replace(let path, let value):
                _ = try Self.remove(at: path[...], from: &result)
                try Self.insert(value, at: path[...], into: &result)
            case .move(let from, let path):
                let value = try Self.remove(at: from[...], from: &result)
                try Self.insert(value, at: path[...], into: &result)
            case .copy(let from, let path):
                try Self.insert(try Self.value(at: from[...], in: result), at: path[...], into: &result)
            case .test(let path, let value):
                guard try Self.value(at: path[...], in: result) == value else {
                    throw Self.failed("testing value /\(path.joined(separator: "/")) failed")
                }
            }
        }
        return result
    }

    // MARK: Parsing

    private static func operation(_ item: JSONValue) throws(Status) -> Operation {
        guard let op = item["op"]?.stringValue else { throw Status.badRequest("json patch operation without \"op\"") }
        let path = try pointer(item, "path")
        switch op {
        case "add": return .add(path: path, value: try member(item, "value"))
        case "remove": return .remove(path: path)
        case "replace": return .replace(path: path, value: try member(item, "value"))
        case "move": return .move(from: try pointer(item, "from"), path: path)
        case "copy": return .copy(from: try pointer(item, "from"), path: path)
        case "test": return .test(path: path, value: try member(item, "value"))
        default: throw Status.badRequest("Unexpected kind: \(op)")
        }
    }

    private static func member(_ item: JSONValue, _ key: String) throws(Status) -> JSONValue {
        guard let value = item[key] else { throw Status.badRequest("json patch operation without \"\(key)\"") }
        return value
    }

    /// A JSON Pointer (RFC 6901) split into unescaped reference tokens.
    static func pointer(_ item: JSONValue, _ key: String) throws(Status) -> [String] {
        guard let text = item[key]?.stringValue else {
            throw Status.badRequest("json patch operation without \"\(key)\"")
        }
        return try pointer(text)
    }

    static func pointer(_ text: String) throws(Status) -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else { throw Status.badRequest("json patch pointer \"\(text)\" must start with /") }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).replacing("~1", with: "/").replacing("~0", with: "~")
        }
    }

    // MARK: Application

    private static func failed(_ message: String) -> Status {
        Status(code: 422, reason: .invalid, message: "the server rejected our request: \(message)")
    }

    private static func value(at path: ArraySlice<String>, in document: JSONValue) throws(Status) -> JSONValue {
        guard let token = path.first else { return document }
        switch document {
        case .object(let members):
            guard let child = members[token] else { throw failed("path /\(path.joined(separator: "/")) not found") }
            return try value(at: path.dropFirst(), in: child)
        case .array(let items):
            guard let index = Int(token), items.indices.contains(index) else {
                throw failed("array index \(token) out of range")
            }
            return try value(at: path.dropFirst(), in: items[index])
        default:
            throw failed("path /\(path.joined(separator: "/")) not found")
        }
    }

    private static func insert(
        _ value: JSONValue, at path: ArraySlice<String>, into document: inout JSONValue
    ) throws(Status) {
        guard let token = path.first else {
            document = value
            return
        }
        let last = path.count == 1
        switch document {
        case .object(var members):
            if last {
                members[token] = value
            } else {
                guard var child = members[token] else { throw failed("path /\(path.joined(separator: "/")) not found") }
                try insert(value, at: path.dropFirst(), into: &child)
                members[token] = child
            }
            document = .object(members)
        case .array(var items):
            if last {
                if token == "-" {
                    items.append(value)
                } else {
                    guard let index = Int(token), (0...items.count).contains(index) else {
                        throw failed("array index \(token) out of range")
                    }
                    items.insert(value, at: index)
                }
            } else {
                guard let index = Int(token), items.indices.contains(index) else {
                    throw failed("array index \(token) out of range")
                }
                try insert(value, at: path.dropFirst(), into: &items[index])
            }
            document = .array(items)
        default:
            throw failed("path /\(path.joined(separator: "/")) not found")
        }
    }

    private static func remove(at path: ArraySlice<String>, from document: inout JSONValue) throws(Status) -> JSONValue {
        guard let token = path.first else { throw failed("cannot remove the whole document") }
        let last = path.count == 1
        switch document {
        case .object(var members):
            guard var child = members[token] else { throw failed("path /\(path.joined(separator: "/")) not found") }
            let removed: JSONValue
            if last {
                removed = child
                members[token] = nil
            } else {
                removed = try remove(at: path.dropFirst(), from: &child)
                members[token] = child
            }
            document = .object(members)
            return removed
        case .array(var items):
            guard let index = Int(token), items.indices.contains(index) else {
                throw failed("array index \(token) out of range")
            }
            let removed: JSONValue
            if last {
                removed = items.remove(at: index)
            } else {
                removed = try remove(at: path.dropFirst(), from: &items[index])
            }
            document = .array(items)
            return removed
        default:
            throw failed("path /\(path.joined(separator: "/")) not found")
        }
    }
}
