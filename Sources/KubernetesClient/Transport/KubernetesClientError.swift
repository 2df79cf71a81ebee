import KubernetesModels

/// What a request to the API server can fail with.
///
/// Non-2xx answers carry the server's `Status`; the cases callers commonly branch on have their own name
/// so they can be caught by pattern: `catch KubernetesClientError.conflict { re-read and retry }`.
public enum KubernetesClientError: Error, Sendable, CustomStringConvertible {
    /// 404.
    case notFound(Status)
    /// 409 with reason `AlreadyExists`: a create found the name taken.
    case alreadyExists(Status)
    /// 409 otherwise: the `resourceVersion` we sent is stale (optimistic concurrency lost).
    case conflict(Status)
    /// 410: the resourceVersion is older than the server's history; list again.
    case expired(Status)
    /// Any other non-2xx answer, after retries.
    case status(Status)
    /// The request never got an answer (connection refused, reset, timed out), after retries.
    case transport(String)
    /// The answer was 2xx but not the JSON we expected.
    case decoding(String)
    /// The client could not be configured (bad kubeconfig, unreadable token or certificate).
    case configuration(ConfigurationError)

    /// The server's `Status` for the answered cases.
    public var status: Status? {
        switch self {
        case .notFound(let status), .alreadyExists(let status), .conflict(let status), .expired(let status),
            .status(let status):
            return status
        case .transport, .decoding, .configuration:
            return nil
        }
    }

    /// The HTTP status code, when there was an answer.
    public var code: Int? { status?.code }

    /// Sorts a failed answer into the named cases.
    public init(status: Status) {
        switch status.code {
        case 404: self = .notFound(status)
        case 409 where status.reason == .alreadyExists: self = .alreadyExists(status)
        case 409: self = .conflict(status)
        case 410: self = .expired(status)
        default: self = .status(status)
        }
    }

    public var description: String {
        switch self {
        case .notFound(let status), .alreadyExists(let status), .conflict(let status), .expired(let status),
            .status(let status):
            return "API server answered \(status.code) \(status.reason.rawValue): \(status.message)"
        case .transport(let reason):
            return "API server unreachable: \(reason)"
        case .decoding(let reason):
            return "unexpected answer from the API server: \(reason)"
        case .configuration(let error):
            return error.description
        }
    }
}

extension Status {
    /// Reads a failed answer's body as a `Status`, or makes one up from the HTTP code when the body is not
    /// one (a proxy's HTML page, an empty 503).
    static func fromResponse(code: Int, body: [UInt8]) -> Status {
        // Read leniently: kube-apiserver omits empty fields (`reason`, `details`), which a strict decode of
        // `Status` would reject.
        if let value = try? JSONValue(parsing: body), value.kind == "Status" {
            var status = Status(
                code: value["code"]?.intValue.map { Int($0) } ?? code,
                reason: Status.Reason(rawValue: value["reason"]?.stringValue ?? ""),
                message: value["message"]?.stringValue ?? "HTTP \(code)")
            status.status = value["status"]?.stringValue ?? "Failure"
            status.details = value["details"].flatMap { try? $0.decode(as: Status.Details.self) }
            return status
        }
        let text = String(decoding: body.prefix(512), as: UTF8.self)
        let reason: Status.Reason
        switch code {
        case 400: reason = .badRequest
        case 404: reason = .notFound
        case 405: reason = .methodNotAllowed
        case 409: reason = .conflict
        case 410: reason = .expired
        case 415: reason = .unsupportedMediaType
        case 422: reason = .invalid
        case 429: reason = .tooManyRequests
        case 500: reason = .internalError
        case 503: reason = .serviceUnavailable
        case 504: reason = .timeout
        default: reason = .unknown
        }
        return Status(code: code, reason: reason, message: text.isEmpty ? "HTTP \(code)" : text)
    }
}
