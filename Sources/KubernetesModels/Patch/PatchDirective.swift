/// The `$`-keys of a strategic merge patch: instructions to the merge, never data.
enum PatchDirective {
    /// `"$patch": "replace" | "delete"` in a map, or a list item `{"$patch": …}`.
    static let marker = "$patch"
    static let replace = "replace"
    static let delete = "delete"
    static let merge = "merge"
    /// `"$retainKeys": ["a", "b"]`: drop live keys not listed before merging.
    static let retainKeys = "$retainKeys"
    /// `"$setElementOrder/ports": [...]`: the final order of a merged list.
    static let setElementOrderPrefix = "$setElementOrder/"
    /// `"$deleteFromPrimitiveList/finalizers": [...]`: values to remove from a merged primitive list.
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"

    /// The directive keys of one patch map, split out of its data members.
    struct Parsed {
        var patchMarker: String?
        var retainKeys: [String]?
        var setElementOrder: [(field: String, order: [JSONValue])] = []
        var deleteFromPrimitiveList: [(field: String, values: [JSONValue])] = []
        var members: [(key: String, value: JSONValue)] = []
    }

    static func parse(_ patch: [String: JSONValue]) throws(PatchError) -> Parsed {
        var parsed = Parsed()
        // Sorted so that results and error messages do not depend on dictionary order.
        for key in patch.keys.sorted() {
            guard let value = patch[key] else { continue }
            guard key.hasPrefix("$") else {
                parsed.members.append((key, value))
                continue
            }
            if key == marker {
                guard let text = value.stringValue else {
                    throw PatchError("invalid value for special key \(marker): \(describe(value))")
                }
                parsed.patchMarker = text
            } else if key == retainKeys {
                guard let list = value.arrayValue, let names = stringList(list) else {
                    throw PatchError("invalid patch format of retainKeys")
                }
                parsed.retainKeys = names
            } else if let field = suffix(of: key, after: setElementOrderPrefix) {
                guard let list = value.arrayValue else {
                    throw PatchError("invalid patch format of setElementOrder list")
                }
                parsed.setElementOrder.append((field, list))
            } else if let field = suffix(of: key, after: deleteFromPrimitiveListPrefix) {
                guard let list = value.arrayValue else {
                    throw PatchError("invalid patch format of primitive list")
                }
                parsed.deleteFromPrimitiveList.append((field, list))
            } else {
                throw PatchError("unknown strategic merge patch directive \"\(key)\"")
            }
        }
        return parsed
    }

    private static func suffix(of key: String, after prefix: String) -> String? {
        guard key.hasPrefix(prefix) else { return nil }
        let field = String(key.dropFirst(prefix.count))
        return field.isEmpty ? nil : field
    }

    private static func stringList(_ list: [JSONValue]) -> [String]? {
        var names: [String] = []
        for item in list {
            guard let name = item.stringValue else { return nil }
            names.append(name)
        }
        return names
    }

    static func describe(_ value: JSONValue) -> String {
        String(decoding: value.serialized(), as: UTF8.self)
    }
}
