import KubernetesModels

/// What kube-apiserver's authorizers see of a request (`authorizer.Attributes`), so that a test can run a role
/// against the embedded server with the same RBAC decisions a real cluster would make.
///
/// There is no authentication: the user is the request's `User-Agent`, which every role of this project sets
/// to its own name (`kube-vip-swift/cloud-provider`, `kube-vip-swift/manager`).
public struct RequestAttributes: Sendable, Hashable, CustomStringConvertible {
    /// The `User-Agent` header, `""` when there is none.
    public var user: String
    /// RBAC's verb: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`; for a
    /// non-resource request the lower-cased HTTP method.
    public var verb: String
    /// False for discovery, `/version`, `/openapi`, health and unknown paths (RBAC's `nonResourceURLs`).
    public var isResourceRequest: Bool
    /// `""` for the core group.
    public var apiGroup: String
    /// The plural resource without its subresource: `services`.
    public var resource: String
    /// `status` in `services/status`; nil for the object itself.
    public var subresource: String?
    /// nil for a cluster-scoped resource and for requests across all namespaces.
    public var namespace: String?
    /// The object's name; for a list or watch narrowed by `fieldSelector=metadata.name=…`, that name (as
    /// kube-apiserver does, so that `resourceNames` rules can apply to them).
    public var name: String?
    /// The URL path, for non-resource requests and messages.
    public var path: String

    public init(
        user: String, verb: String, apiGroup: String, resource: String, subresource: String? = nil,
        namespace: String? = nil, name: String? = nil, path: String = ""
    ) {
        self.user = user
        self.verb = verb
        self.isResourceRequest = true
        self.apiGroup = apiGroup
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.path = path
    }

    /// A request to a path that names no resource.
    public init(user: String, verb: String, nonResourcePath path: String) {
        self.user = user
        self.verb = verb
        self.isResourceRequest = false
        self.apiGroup = ""
        self.resource = ""
        self.path = path
    }

    /// The resource as RBAC rules name it: `services/status`.
    public var rbacResource: String {
        subresource.map { "\(resource)/\($0)" } ?? resource
    }

    public var description: String {
        guard isResourceRequest else { return "\(user): \(verb) \(path)" }
        let group = apiGroup.isEmpty ? "core" : apiGroup
        let scope = namespace.map { "namespace \($0)" } ?? "cluster"
        let object = name.map { " \($0)" } ?? ""
        return "\(user): \(verb) \(rbacResource) (\(group))\(object) in \(scope)"
    }

    /// kube-apiserver's 403 for a denied request, word for word, so that clients and users see what a real
    /// cluster would tell them: `services "x" is forbidden: User "u" cannot patch resource "services/status" in
    /// API group "" in the namespace "ns"`.
    public var forbidden: Status {
        guard isResourceRequest else {
            return Status(
                code: 403, reason: "Forbidden", message: "forbidden: User \"\(user)\" cannot \(verb) path \"\(path)\"")
        }
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        let reason =
            "User \"\(user)\" cannot \(verb) resource \"\(rbacResource)\" in API group \"\(apiGroup)\" \(scope)"
        let qualified = apiGroup.isEmpty ? resource : "\(resource).\(apiGroup)"
        let subject = name.map { "\(qualified) \"\($0)\"" } ?? qualified
        return Status(
            code: 403, reason: "Forbidden", message: "\(subject) is forbidden: \(reason)",
            details: Status.Details(name: name, group: apiGroup.isEmpty ? nil : apiGroup, kind: resource))
    }
}

extension RequestAttributes {
    /// Reads the attributes of a request the way kube-apiserver's `RequestInfoFactory` does: from the method,
    /// the path and the `watch` and `fieldSelector` query parameters.
    init(method: String, path: String, query: QueryParameters, userAgent: String?) {
        let user = userAgent ?? ""
        guard case .resource(let resourcePath) = APIPath(path) else {
            self.init(user: user, verb: method.lowercased(), nonResourcePath: path)
            return
        }
        let named = resourcePath.name != nil
        let verb: String
        switch method.uppercased() {
        case "GET", "HEAD":
            if resourcePath.isWatchPrefix {
                verb = "watch"
            } else if named {
                verb = "get"
            } else {
                verb = query.bool("watch") ? "watch" : "list"
            }
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = named ? "delete" : "deletecollection"
        default: verb = method.lowercased()
        }
        var name = resourcePath.name
        if name == nil, verb == "list" || verb == "watch" {
            name = Self.exactName(in: query["fieldSelector"])
        }
        var namespace = resourcePath.namespace
        // `/api/v1/namespaces/{name}` is the Namespace object; kube-apiserver counts it as inside itself.
        if resourcePath.group.isEmpty, resourcePath.resource == "namespaces", namespace == nil {
            namespace = resourcePath.name
        }
        self.init(
            user: user, verb: verb, apiGroup: resourcePath.group, resource: resourcePath.resource,
            subresource: resourcePath.subresource, namespace: namespace, name: name, path: path)
    }

    /// `metadata.name=x` (alone or among other requirements) narrows a list to one name.
    private static func exactName(in fieldSelector: String?) -> String? {
        guard let fieldSelector, let selector = try? FieldSelector(parsing: fieldSelector) else { return nil }
        return selector.requirements.first { $0.field == "metadata.name" && $0.operator == .equals }?.value
    }
}
