@testable import KubernetesClient
import KubernetesModels
import Testing

@Suite("Which failures are retried")
struct RetryPolicyTests {
    @Test("429 is retried for every verb: the server did not process the request")
    func tooManyRequests() {
        for verb in [HTTPVerb.get, .post, .put, .patch, .delete] {
            #expect(RetryPolicy.shouldRetry(status: 429, method: verb, hasRetryAfter: false))
        }
    }

    @Test("5xx is retried for idempotent verbs, and for POST and PATCH only with Retry-After")
    func serverErrors() {
        #expect(RetryPolicy.shouldRetry(status: 503, method: .get, hasRetryAfter: false))
        #expect(RetryPolicy.shouldRetry(status: 500, method: .put, hasRetryAfter: false))
        #expect(!RetryPolicy.shouldRetry(status: 503, method: .post, hasRetryAfter: false))
        #expect(!RetryPolicy.shouldRetry(status: 502, method: .patch, hasRetryAfter: false))
        #expect(RetryPolicy.shouldRetry(status: 503, method: .post, hasRetryAfter: true))
    }

    @Test("client errors and 501 are final")
    func finalAnswers() {
        for status in [400, 401, 403, 404, 409, 410, 422, 501] {
            #expect(!RetryPolicy.shouldRetry(status: status, method: .get, hasRetryAfter: true))
        }
    }

    @Test("Retry-After is read as seconds; other forms are ignored")
    func retryAfterParsing() {
        #expect(RetryPolicy.retryAfter("3") == .seconds(3))
        #expect(RetryPolicy.retryAfter(" 0 ") == .zero)
        #expect(RetryPolicy.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryPolicy.retryAfter("-1") == nil)
        #expect(RetryPolicy.retryAfter(nil) == nil)
    }

    @Test("a failed answer's Status body is kept; a non-Status body becomes one")
    func statusFromBody() {
        let body = Array(
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"leases \"x\" is busy","code":409}"#
                .utf8)
        let status = Status.fromResponse(code: 409, body: body)
        #expect(status.code == 409)
        #expect(status.reason == .unknown)
        #expect(status.message == #"leases "x" is busy"#)
        let error = KubernetesClientError(status: status)
        guard case .conflict = error else {
            Issue.record("expected .conflict, got \(error)")
            return
        }
        let proxy = Status.fromResponse(code: 503, body: Array("<html>down</html>".utf8))
        #expect(proxy.reason == .serviceUnavailable)
        #expect(proxy.message == "<html>down</html>")
    }
}
