/// JSON merge patch (RFC 7386), the body of `PATCH` with `Content-Type: application/merge-patch+json`.
///
/// Objects merge member by member, `null` removes a member, and anything else (arrays included) replaces the
/// target wholesale. It never fails: every JSON value is a valid merge patch.
public enum JSONMergePatch {
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var members = target.objectValue ?? [:]
        for (key, patchValue) in patchMembers {
            if patchValue.isNull {
                members[key] = nil
            } else {
                members[key] = apply(patchValue, to: members[key] ?? .null)
            }
        }
        return .object(members)
    }

    /// The merge patch that turns `original` into `modified`.
    ///
    /// RFC 7386 cannot express a member whose value is `null` (it means "remove"), so such members in
    /// `modified` come out as removals; everything else round-trips: `apply(diff(a, b), to: a) == b`.
    public static func diff(from original: JSONValue, to modified: JSONValue) -> JSONValue {
        guard case .object(let originalMembers) = original, case .object(let modifiedMembers) = modified else {
            return modified
        }
        var patch: [String: JSONValue] = [:]
        for key in originalMembers.keys where modifiedMembers[key] == nil {
            patch[key] = .null
        }
        for (key, modifiedValue) in modifiedMembers {
            guard let originalValue = originalMembers[key] else {
                patch[key] = modifiedValue
                continue
            }
            if originalValue == modifiedValue { continue }
            if case .object = modifiedValue, case .object = originalValue {
                patch[key] = diff(from: originalValue, to: modifiedValue)
            } else {
                patch[key] = modifiedValue
            }
        }
        return .object(patch)
    }
}
