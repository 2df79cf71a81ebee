import KubernetesModels

/// One PATCH request's change, applied inside the store's atomic read-modify-write.
///
/// Server-side apply (`application/apply-patch+yaml`) creates a missing object and otherwise merges the applied
/// configuration into the live object with strategic-merge semantics. Field ownership (managedFields, conflicts
/// between managers, removal of fields a manager stopped applying) is not modelled: the embedded server is a
/// development tool, and `force` is accepted and ignored.
struct PatchApplication: Sendable {
    var format: PatchFormat
    var patch: JSONValue
    var target: ResourceTarget

    init(format: PatchFormat, body: [UInt8], target: ResourceTarget) throws(Status) {
        self.format = format
        self.target = target
        switch format {
        case .apply: patch = try RequestBodyDecoder.applyConfiguration(body)
        case .jsonPatch, .mergePatch, .strategicMergePatch: patch = try RequestBodyDecoder.json(body)
        }
        switch (format, patch) {
        case (.jsonPatch, _): _ = try JSONPatch(document: patch)
        case (_, .object): break
        default: throw Status.badRequest("the patch must be a JSON object")
        }
    }

    /// The patched object; `current` is `nil` only for server-side apply of a missing object.
    func apply(to current: JSONValue?) throws(Status) -> JSONValue {
        guard let current else {
            return try target.conforming(patch)
        }
        let patched: JSONValue
        switch format {
        case .jsonPatch:
            patched = try JSONPatch(document: patch).apply(to: current)
        case .mergePatch:
            patched = JSONMergePatch.apply(patch, to: current)
        case .strategicMergePatch, .apply:
            do {
                patched = try StrategicMergePatch.apply(patch, to: current, schema: .forKind(target.type.kind))
            } catch {
                throw Status.badRequest(error.description)
            }
        }
        return try target.conforming(patched)
    }
}
