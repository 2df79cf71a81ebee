/// `metadata` of a Kubernetes object: the fields the controllers and the embedded server read.
///
/// Typed views are for reading; writes go through patches or the raw `JSONValue` so that fields not listed
/// here survive.
public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(
        name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil, resourceVersion: String? = nil, uid: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.resourceVersion = resourceVersion
        self.uid = uid
    }
}

/// `metadata` of a list: where a watch should start, and the continue token of a paginated list.
public struct ListMeta: Codable, Sendable, Hashable {
    public var resourceVersion: String?
    public var `continue`: String?
    public var remainingItemCount: Int64?

    public init(resourceVersion: String? = nil, continue: String? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
    }
}

/// Read access to the metadata of an object held as JSON.
extension JSONValue {
    public var metadataName: String? { self[path: "metadata", "name"]?.stringValue }
    public var metadataNamespace: String? { self[path: "metadata", "namespace"]?.stringValue }
    public var metadataResourceVersion: String? { self[path: "metadata", "resourceVersion"]?.stringValue }
    public var metadataUID: String? { self[path: "metadata", "uid"]?.stringValue }
    public var kind: String? { self["kind"]?.stringValue }
    public var apiVersion: String? { self["apiVersion"]?.stringValue }

    public var metadataLabels: [String: String] {
        stringMap(self[path: "metadata", "labels"])
    }

    public var metadataAnnotations: [String: String] {
        stringMap(self[path: "metadata", "annotations"])
    }

    private func stringMap(_ value: JSONValue?) -> [String: String] {
        guard let members = value?.objectValue else { return [:] }
        return members.compactMapValues(\.stringValue)
    }
}
