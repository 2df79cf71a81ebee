/// Strategic merge patch, the body of `PATCH` with `Content-Type: application/strategic-merge-patch+json`
/// (what `kubectl apply` and `kubectl patch` send by default).
///
/// Like a JSON merge patch, except that lists the schema marks as mergeable are merged item by item (by a merge
/// key such as `port`, or as sets of primitives), and `$`-directives can delete, replace, retain or reorder.
/// Semantics follow apimachinery's `strategicpatch` package with `MergeParallelList` and
/// `IgnoreUnmatchedNulls` set, as kube-apiserver applies them, with two deliberate differences: where
/// apimachinery copies directives from a patch into the object verbatim (a field absent from the live object,
/// a replaced list) we resolve them as if the live value were empty, so no `$`-key ever reaches a stored
/// object; and `"$patch": "delete"` on a map removes the field instead of leaving `{}` behind (what a client
/// reading the object back from kube-apiserver sees for maps, which Go drops when empty).
public enum StrategicMergePatch {
    public static func apply(
        _ patch: JSONValue, to target: JSONValue, schema: StrategicMergeSchema
    ) throws(PatchError) -> JSONValue {
        guard case .object(let patchMembers) = patch else {
            throw PatchError("a strategic merge patch must be a JSON object, got \(PatchDirective.describe(patch))")
        }
        let merged = try mergeObject(target.objectValue ?? [:], patchMembers, schema: schema)
        return .object(merged ?? [:])
    }

    /// Merges one patch map into a live map; `nil` when the patch says `"$patch": "delete"`.
    static func mergeObject(
        _ original: [String: JSONValue], _ patch: [String: JSONValue], schema: StrategicMergeSchema
    ) throws(PatchError) -> [String: JSONValue]? {
        let directives = try PatchDirective.parse(patch)
        if let marker = directives.patchMarker {
            switch marker {
            case PatchDirective.replace:
                var replacement = patch
                replacement[PatchDirective.marker] = nil
                return try mergeObject([:], replacement, schema: schema)
            case PatchDirective.delete:
                return nil
            default:
                throw PatchError("unknown patch type: \(marker) in map: \(PatchDirective.describe(.object(patch)))")
            }
        }

        var result = original
        if let retained = directives.retainKeys {
            let allowed = Set(retained)
            for (key, value) in directives.members where !value.isNull && !allowed.contains(key) {
                throw PatchError("invalid patch format of retainKeys: \"\(key)\" is patched but not retained")
            }
            result = result.filter { allowed.contains($0.key) }
        }

        var ordered: Set<String> = []
        for (field, order) in directives.setElementOrder {
            if let merged = try mergeOrderedList(
                field: field, order: order, live: result[field], patch: patch[field], schema: schema.field(field))
            {
                result[field] = .array(merged)
            }
            ordered.insert(field)
        }

        for (field, values) in directives.deleteFromPrimitiveList {
            guard case .array(let list)? = result[field] else { continue }
            let doomed = Set(values.map(\.numericallyNormalized))
            result[field] = .array(list.filter { !doomed.contains($0.numericallyNormalized) })
        }

        for (key, value) in directives.members where !ordered.contains(key) {
            try mergeMember(key, value, into: &result, schema: schema.field(key))
        }
        return result
    }

    private static func mergeMember(
        _ key: String, _ value: JSONValue, into result: inout [String: JSONValue], schema: StrategicMergeSchema
    ) throws(PatchError) {
        if value.isNull {
            result[key] = nil
            return
        }
        switch (result[key], value) {
        case (.object(let live)?, .object(let patch)):
            result[key] = try mergeObject(live, patch, schema: schema).map(JSONValue.object)
        case (.array(let live)?, .array(let patch)):
            result[key] = .array(try mergeList(live, patch, schema: schema))
        default:
            // Absent, or of another type: the patch value wins, with its directives resolved against nothing.
            result[key] = try materialize(value, schema: schema)
        }
    }

    /// A patch value as it reads when there is no live value to merge with: directives resolved, nulls dropped.
    static func materialize(_ value: JSONValue, schema: StrategicMergeSchema) throws(PatchError) -> JSONValue? {
        switch value {
        case .object(let members):
            return try mergeObject([:], members, schema: schema).map(JSONValue.object)
        case .array(let items):
            return .array(try materializeList(items, schema: schema))
        default:
            return value
        }
    }
}

extension JSONValue {
    /// The value with integral doubles turned into integers, so `80` and `80.0` name the same list item.
    var numericallyNormalized: JSONValue {
        switch self {
        case .double:
            if let integer = intValue { return .int(integer) }
            return self
        case .array(let items):
            return .array(items.map(\.numericallyNormalized))
        case .object(let members):
            return .object(members.mapValues(\.numericallyNormalized))
        default:
            return self
        }
    }
}
