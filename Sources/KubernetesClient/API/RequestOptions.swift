/// Filters and paging for a list (and the filters of a watch).
///
/// Named apart from the embedded server's `ListOptions` so that code importing both modules (the tests)
/// needs no qualification.
public struct ListQuery: Sendable, Hashable {
    /// e.g. `app=web,tier!=cache`.
    public var labelSelector: String?
    /// e.g. `metadata.name=kubevip`.
    public var fieldSelector: String?
    /// Page size; the server returns a continue token when more remain.
    public var limit: Int?
    public var continueToken: String?
    /// `"0"` lets the server answer from its cache; `nil` asks for the latest state.
    public var resourceVersion: String?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
        resourceVersion: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }

    var queryItems: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit { items.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { items.append(("continue", continueToken)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        return items
    }
}

/// How a PATCH body is to be read.
public enum PatchType: Sendable, Hashable {
    /// RFC 7386: objects merge, `null` deletes, lists are replaced whole.
    case merge
    /// Kubernetes' strategic merge: lists with a merge key (ports by `port`, …) are merged by element.
    case strategicMerge
    /// Server-side apply. `fieldManager` is required; `force` takes over fields owned by other managers.
    case apply(fieldManager: String, force: Bool)

    var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }
}

/// Options every write accepts.
public struct WriteOptions: Sendable, Hashable {
    /// Recorded in `metadata.managedFields`, so `kubectl` can say who changed a field.
    public var fieldManager: String?
    /// Validate and answer without storing.
    public var dryRun: Bool

    public init(fieldManager: String? = nil, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.dryRun = dryRun
    }

    var queryItems: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        if let fieldManager, !fieldManager.isEmpty { items.append(("fieldManager", fieldManager)) }
        if dryRun { items.append(("dryRun", "All")) }
        return items
    }
}

/// Preconditions for a delete: refuse (409) if the object changed or was replaced since we looked.
public struct DeletePreconditions: Sendable, Hashable {
    public var resourceVersion: String?
    public var uid: String?

    public init(resourceVersion: String? = nil, uid: String? = nil) {
        self.resourceVersion = resourceVersion
        self.uid = uid
    }
}
