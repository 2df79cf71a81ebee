/// Label selectors written as objects rather than text: a Service's `spec.selector` map and the
/// `metav1.LabelSelector` of Deployments and friends (`matchLabels` plus `matchExpressions`).
extension LabelSelector {
    /// Every label must be present with this value. An empty map matches everything.
    public init(matchLabels: [String: String]) throws(SelectorError) {
        var requirements: [Requirement] = []
        for (key, value) in matchLabels {
            requirements.append(try Requirement(key: key, operator: .equals, values: [value]))
        }
        self.init(requirements: requirements)
    }

    /// A `metav1.LabelSelector` object; `{}` matches everything. (Whether an absent selector matches
    /// nothing or everything depends on the field, so the caller decides that before calling.)
    public init(labelSelector object: JSONValue) throws(SelectorError) {
        guard case .object(let members) = object else {
            throw SelectorError("a label selector must be an object with matchLabels and matchExpressions")
        }
        var requirements: [Requirement] = []
        if let matchLabels = members["matchLabels"], !matchLabels.isNull {
            guard case .object(let labels) = matchLabels else {
                throw SelectorError("matchLabels must be an object of strings")
            }
            for (key, value) in labels {
                guard let text = value.stringValue else {
                    throw SelectorError("matchLabels[\(key)] must be a string")
                }
                requirements.append(try Requirement(key: key, operator: .equals, values: [text]))
            }
        }
        for expression in members["matchExpressions"]?.arrayValue ?? [] {
            requirements.append(try Self.requirement(expression))
        }
        self.init(requirements: requirements)
    }

    /// `{key, operator: In|NotIn|Exists|DoesNotExist, values}` as apimachinery's `LabelSelectorAsSelector`
    /// reads it.
    private static func requirement(_ expression: JSONValue) throws(SelectorError) -> Requirement {
        guard let key = expression["key"]?.stringValue, let name = expression["operator"]?.stringValue else {
            throw SelectorError("a matchExpressions entry needs a key and an operator")
        }
        let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue)
        switch name {
        case "In": return try Requirement(key: key, operator: .in, values: values)
        case "NotIn": return try Requirement(key: key, operator: .notIn, values: values)
        case "Exists": return try Requirement(key: key, operator: .exists, values: values)
        case "DoesNotExist": return try Requirement(key: key, operator: .doesNotExist, values: values)
        default: throw SelectorError("\"\(name)\" is not a valid label selector operator")
        }
    }
}
