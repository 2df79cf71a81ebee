/// The patch metadata of one position in an object: how a list found there is merged, and the schema of the
/// fields below it.
///
/// Kubernetes takes this from the `patchStrategy` and `patchMergeKey` tags of its Go types; we keep the
/// handful of positions where the tags differ from "lists replace", because anything we do not know about
/// must behave like a custom resource (JSON-merge semantics for lists), never guess a merge key.
public struct StrategicMergeSchema: Sendable, Equatable {
    /// What a list at this position does with the items of a patch.
    public enum ListStrategy: Sendable, Equatable {
        /// The patch's list replaces the live one (no `patchStrategy` tag).
        case replace
        /// Items are maps matched by the value of this member (`patchStrategy:"merge" patchMergeKey:"…"`).
        case mergeByKey(String)
        /// Items are primitives merged as a set (`patchStrategy:"merge"` on a `[]string`).
        case mergeAsSet
    }

    public var listStrategy: ListStrategy
    /// Fields of the object found at this position (for a list: of each item).
    public var fields: [String: StrategicMergeSchema]

    public init(listStrategy: ListStrategy = .replace, fields: [String: StrategicMergeSchema] = [:]) {
        self.listStrategy = listStrategy
        self.fields = fields
    }

    /// No merge keys anywhere: every list replaces, like a kind we have no metadata for.
    public static let replaceLists = StrategicMergeSchema()

    /// The schema of a field below this position; unknown fields get ``replaceLists``.
    public func field(_ name: String) -> StrategicMergeSchema {
        fields[name] ?? .replaceLists
    }

    /// The schema for a resource kind ("Service", "Deployment", ...); unknown kinds replace lists.
    public static func forKind(_ kind: String) -> StrategicMergeSchema {
        knownKinds[kind] ?? objectWithMetadata()
    }

    static func mergeByKey(_ key: String, _ fields: [String: StrategicMergeSchema] = [:]) -> StrategicMergeSchema {
        StrategicMergeSchema(listStrategy: .mergeByKey(key), fields: fields)
    }

    static func object(_ fields: [String: StrategicMergeSchema]) -> StrategicMergeSchema {
        StrategicMergeSchema(fields: fields)
    }
}
