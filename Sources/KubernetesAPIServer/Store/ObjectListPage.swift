import KubernetesModels

/// One page of a list: the items, the resourceVersion the page is consistent with, and where to continue.
public struct ObjectListPage: Sendable {
    public var items: [JSONValue]
    public var resourceVersion: String
    /// Set when more items match; pass it back as `ListOptions.continueToken` for the next page.
    public var continueToken: String?

    public init(items: [JSONValue], resourceVersion: String, continueToken: String?) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }
}
