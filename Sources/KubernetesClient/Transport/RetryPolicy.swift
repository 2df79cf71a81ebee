import AsyncHTTPClient
import Foundation
import NIOCore

/// When a failed request is sent again.
///
/// - 429 and 5xx answers are retried for every verb when the server sends `Retry-After` (it says the
///   request was not processed), and otherwise only for idempotent verbs (GET, PUT, DELETE), because a POST
///   or PATCH that reached a failing server may have been applied.
/// - Connection failures are retried only for idempotent verbs, for the same reason, with one exception:
///   a pooled keep-alive connection that the server (or a proxy) closed just as we reused it is sent again
///   once, whatever the verb, as Go's `net/http` does. Replaying a Kubernetes write is safe in practice: PUT
///   and PATCH carry the whole intent (and a resourceVersion precondition fails loudly), and a replayed POST
///   gets 409 AlreadyExists rather than a duplicate (except with `generateName`).
/// - `Retry-After` seconds are honoured but capped at `maximumDelay`, so a misbehaving proxy cannot park
///   a controller for an hour; without it the delay is jittered exponential backoff.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt; zero turns retrying off.
    public var maximumRetries: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(maximumRetries: Int = 5, initialDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(30)) {
        self.maximumRetries = maximumRetries
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    public static let never = RetryPolicy(maximumRetries: 0)

    func makeBackoff() -> Backoff {
        Backoff(initial: initialDelay, maximum: maximumDelay, jitter: 0.5, resetAfter: .seconds(1_000_000))
    }

    static func isIdempotent(_ method: HTTPVerb) -> Bool {
        switch method {
        case .get, .put, .delete: return true
        case .post, .patch: return false
        }
    }

    /// A reused connection that turned out to be closed: the request most likely never reached the server.
    static func isStaleConnection(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError, error == .remoteConnectionClosed { return true }
        if let error = error as? ChannelError, error == .ioOnClosedChannel { return true }
        return false
    }

    /// Whether an answer with `status` to `method` should be sent again.
    static func shouldRetry(status: Int, method: HTTPVerb, hasRetryAfter: Bool) -> Bool {
        guard status == 429 || (500...599).contains(status) else { return false }
        // 501 Not Implemented will not change on its own.
        guard status != 501 else { return false }
        return status == 429 || hasRetryAfter || isIdempotent(method)
    }

    /// `Retry-After` as delta-seconds (the form kube-apiserver uses); HTTP dates are ignored.
    static func retryAfter(_ header: String?) -> Duration? {
        guard let value = header?.trimmingCharacters(in: .whitespaces),
            let seconds = Int(value), seconds >= 0
        else { return nil }
        return .seconds(seconds)
    }
}
