/// The verbs the Kubernetes API uses; kept apart from NIO's `HTTPMethod` so retry rules are plain values.
public enum HTTPVerb: String, Sendable, Hashable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
}
