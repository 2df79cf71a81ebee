/// The `meta.k8s.io/v1` `Status` an API server returns for every failed request (and inside watch `ERROR`
/// events). Clients branch on `code` and `reason`, so the embedded server must use the same values as
/// kube-apiserver.
public struct Status: Codable, Sendable, Hashable, Error {
    public var kind: String = "Status"
    public var apiVersion: String = "v1"
    public var metadata: ListMeta = ListMeta()
    public var status: String
    public var message: String
    public var reason: Reason
    public var details: Details?
    public var code: Int

    /// `StatusReason` values from apimachinery that this project produces or reacts to.
    public struct Reason: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }

        public static let notFound: Reason = "NotFound"
        public static let alreadyExists: Reason = "AlreadyExists"
        public static let conflict: Reason = "Conflict"
        public static let invalid: Reason = "Invalid"
        public static let badRequest: Reason = "BadRequest"
        public static let methodNotAllowed: Reason = "MethodNotAllowed"
        public static let notAcceptable: Reason = "NotAcceptable"
        public static let unsupportedMediaType: Reason = "UnsupportedMediaType"
        public static let gone: Reason = "Gone"
        public static let expired: Reason = "Expired"
        public static let tooManyRequests: Reason = "TooManyRequests"
        public static let internalError: Reason = "InternalError"
        public static let serviceUnavailable: Reason = "ServiceUnavailable"
        public static let timeout: Reason = "Timeout"
        public static let unknown: Reason = ""
    }

    public struct Details: Codable, Sendable, Hashable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var causes: [Cause]?
        public var retryAfterSeconds: Int?

        public init(
            name: String? = nil, group: String? = nil, kind: String? = nil, causes: [Cause]? = nil,
            retryAfterSeconds: Int? = nil
        ) {
            self.name = name
            self.group = group
            self.kind = kind
            self.causes = causes
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    public struct Cause: Codable, Sendable, Hashable {
        public var reason: String?
        public var message: String?
        public var field: String?

        public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    public init(code: Int, reason: Reason, message: String, details: Details? = nil) {
        self.status = "Failure"
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    /// kube-apiserver's wording, so that kubectl prints what users know: `services "web" not found`.
    public static func notFound(resource: String, group: String = "", name: String) -> Status {
        Status(
            code: 404, reason: .notFound, message: "\(qualified(resource, group)) \"\(name)\" not found",
            details: Details(name: name, group: group.isEmpty ? nil : group, kind: resource))
    }

    public static func alreadyExists(resource: String, group: String = "", name: String) -> Status {
        Status(
            code: 409, reason: .alreadyExists,
            message: "\(qualified(resource, group)) \"\(name)\" already exists",
            details: Details(name: name, group: group.isEmpty ? nil : group, kind: resource))
    }

    public static func conflict(resource: String, group: String = "", name: String) -> Status {
        Status(
            code: 409, reason: .conflict,
            message: "Operation cannot be fulfilled on \(qualified(resource, group)) \"\(name)\": the object has "
                + "been modified; please apply your changes to the latest version and try again",
            details: Details(name: name, group: group.isEmpty ? nil : group, kind: resource))
    }

    public static func badRequest(_ message: String) -> Status {
        Status(code: 400, reason: .badRequest, message: message)
    }

    public static func invalid(kind: String, name: String, causes: [Cause]) -> Status {
        let summary = causes.map { "\($0.field ?? ""): \($0.message ?? "")" }.joined(separator: ", ")
        return Status(
            code: 422, reason: .invalid, message: "\(kind) \"\(name)\" is invalid: \(summary)",
            details: Details(name: name, kind: kind, causes: causes))
    }

    /// The answer to a watch or list from a resourceVersion older than the server still remembers.
    public static func expired(_ message: String) -> Status {
        Status(code: 410, reason: .expired, message: message)
    }

    private static func qualified(_ resource: String, _ group: String) -> String {
        group.isEmpty ? resource : "\(resource).\(group)"
    }
}
