import KubernetesModels

/// The list and watch options of a request's query string, parsed into the store's `ListOptions`.
enum ListQuery {
    /// Selector syntax errors are 400 BadRequest, with the parser's explanation.
    static func options(_ query: QueryParameters, name: String? = nil) throws(Status) -> ListOptions {
        var options = ListOptions()
        do {
            if let text = query["labelSelector"], !text.isEmpty {
                options.labelSelector = try LabelSelector(parsing: text)
            }
            var fieldSelector = FieldSelector.everything
            if let text = query["fieldSelector"], !text.isEmpty {
                fieldSelector = try FieldSelector(parsing: text)
            }
            // `/watch/namespaces/ns/services/web` means a watch of that one object.
            if let name {
                fieldSelector.requirements.append(.init(field: "metadata.name", operator: .equals, value: name))
            }
            options.fieldSelector = fieldSelector.isEverything ? nil : fieldSelector
        } catch {
            throw Status.badRequest("unable to parse requirement: \(error.description)")
        }
        options.limit = query.integer("limit").flatMap { $0 > 0 ? $0 : nil }
        options.continueToken = query["continue"].flatMap { $0.isEmpty ? nil : $0 }
        options.resourceVersion = query["resourceVersion"]
        switch query["resourceVersionMatch"] {
        case nil, "": break
        case "NotOlderThan": options.resourceVersionMatch = .notOlderThan
        case "Exact": options.resourceVersionMatch = .exact
        case let other?:
            throw Status.badRequest("resourceVersionMatch: Unsupported value: \"\(other)\"")
        }
        options.allowWatchBookmarks = query.bool("allowWatchBookmarks")
        if query["sendInitialEvents"] != nil { options.sendInitialEvents = query.bool("sendInitialEvents") }
        return options
    }
}
