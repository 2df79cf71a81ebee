import AsyncHTTPClient
import Foundation
import KubernetesModels
import Logging
import NIOCore

/// Sends requests to one API server: authentication, client-side rate limit, retries, and turning failed
/// answers into `KubernetesClientError`s. Owns the client's single `HTTPClient`.
final class HTTPTransport: Sendable {
    /// Larger than any paginated list page we ask for, small enough to refuse a runaway answer.
    static let maximumResponseBytes = 256 * 1024 * 1024

    let httpClient: HTTPClient
    let server: String
    let tokens: BearerTokenProvider?
    let limiter: RateLimiter
    let retry: RetryPolicy
    let requestTimeout: Duration
    let userAgent: String
    let clock: ClientClock
    let logger: Logger

    init(configuration: ClientConfiguration, clock: ClientClock, logger: Logger) throws(ConfigurationError) {
        var httpConfiguration = HTTPClient.Configuration(
            tlsConfiguration: try configuration.makeTLSConfiguration(),
            // A watch legitimately stays quiet for long stretches; the server ends it after at most
            // `timeoutSeconds` (≤ 600 s), so only a connection silent for longer than that is dead.
            timeout: HTTPClient.Configuration.Timeout(connect: .seconds(10), read: .seconds(660)))
        // Each open watch holds an HTTP/1.1 connection for minutes; leave room for ordinary requests.
        httpConfiguration.connectionPool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        // Fail a refused connection at once: `RetryPolicy` and the informer's backoff decide when to try
        // again (with jitter, on the injected clock), instead of AHC retrying silently until its timeout.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        self.httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: httpConfiguration, backgroundActivityLogger: logger)
        var server = configuration.server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.tokens = configuration.bearerToken.map { BearerTokenProvider($0, clock: clock) }
        self.limiter = RateLimiter(configuration.rateLimit, clock: clock)
        self.retry = configuration.retry
        self.requestTimeout = configuration.requestTimeout
        self.userAgent = configuration.userAgent
        self.clock = clock
        self.logger = logger
    }

    func shutdown() async throws {
        try await httpClient.shutdown()
    }

    /// Sends `request` and returns its complete 2xx answer, retrying as `RetryPolicy` describes.
    func perform(_ request: APIRequest) async throws -> APIResponse {
        var backoff = retry.makeBackoff()
        var retries = 0
        var refreshedToken = false
        var replayedOnStaleConnection = false
        while true {
            try await limiter.acquire()
            let code: Int
            let body: ByteBuffer
            let retryAfterHeader: String?
            do {
                let response = try await httpClient.execute(
                    try await makeRequest(request), deadline: .now() + .nanoseconds(requestTimeout.nanoseconds),
                    logger: logger)
                code = Int(response.status.code)
                retryAfterHeader = response.headers.first(name: "Retry-After")
                body = try await response.body.collect(upTo: Self.maximumResponseBytes)
            } catch let error as KubernetesClientError {
                throw error
            } catch {
                try Task.checkCancellation()
                if !replayedOnStaleConnection, RetryPolicy.isStaleConnection(error) {
                    replayedOnStaleConnection = true
                    logger.debug(
                        "pooled connection was closed by the server, sending again",
                        metadata: ["verb": "\(request.verb.rawValue)", "path": "\(request.path)"])
                    continue
                }
                guard RetryPolicy.isIdempotent(request.verb), retries < retry.maximumRetries else {
                    throw KubernetesClientError.transport(String(describing: error))
                }
                retries += 1
                let delay = backoff.nextDelay()
                logger.debug(
                    "request failed, retrying",
                    metadata: ["verb": "\(request.verb.rawValue)", "path": "\(request.path)", "error": "\(error)",
                        "delay": "\(delay)"])
                try await clock.sleep(for: delay)
                continue
            }

            if (200...299).contains(code) {
                return APIResponse(code: code, body: body)
            }
            if code == 401, !refreshedToken, let tokens, tokens.canRefresh {
                refreshedToken = true
                await tokens.invalidate()
                continue
            }
            let retryAfter = RetryPolicy.retryAfter(retryAfterHeader)
            if retries < retry.maximumRetries,
                RetryPolicy.shouldRetry(status: code, method: request.verb, hasRetryAfter: retryAfter != nil)
            {
                retries += 1
                let delay = retryAfter.map { min($0, retry.maximumDelay) } ?? backoff.nextDelay()
                logger.debug(
                    "API server asked to retry",
                    metadata: ["verb": "\(request.verb.rawValue)", "path": "\(request.path)", "code": "\(code)",
                        "delay": "\(delay)"])
                try await clock.sleep(for: delay)
                continue
            }
            throw KubernetesClientError(status: Status.fromResponse(code: code, body: Array(buffer: body)))
        }
    }

    /// Opens a streaming request (a watch). Rate limited like any request, but only once: the events that
    /// follow are not. A non-2xx answer is read and thrown, so callers only ever stream a 2xx body.
    func openStream(_ request: APIRequest) async throws -> HTTPClientResponse {
        var refreshedToken = false
        var replayedOnStaleConnection = false
        while true {
            try await limiter.acquire()
            let response: HTTPClientResponse
            do {
                response = try await httpClient.execute(
                    try await makeRequest(request), deadline: .now() + .nanoseconds(requestTimeout.nanoseconds),
                    logger: logger)
            } catch let error as KubernetesClientError {
                throw error
            } catch {
                try Task.checkCancellation()
                if !replayedOnStaleConnection, RetryPolicy.isStaleConnection(error) {
                    replayedOnStaleConnection = true
                    continue
                }
                throw KubernetesClientError.transport(String(describing: error))
            }
            let code = Int(response.status.code)
            if (200...299).contains(code) { return response }
            let body = (try? await response.body.collect(upTo: 1024 * 1024)) ?? ByteBuffer()
            if code == 401, !refreshedToken, let tokens, tokens.canRefresh {
                refreshedToken = true
                await tokens.invalidate()
                continue
            }
            throw KubernetesClientError(status: Status.fromResponse(code: code, body: Array(buffer: body)))
        }
    }

    private func makeRequest(_ request: APIRequest) async throws -> HTTPClientRequest {
        var http = HTTPClientRequest(url: server + request.target)
        http.method = .init(rawValue: request.verb.rawValue)
        http.headers.add(name: "Accept", value: "application/json")
        http.headers.add(name: "User-Agent", value: userAgent)
        if let tokens {
            do {
                http.headers.add(name: "Authorization", value: "Bearer \(try await tokens.token())")
            } catch {
                throw KubernetesClientError.configuration(error)
            }
        }
        if request.closeConnection {
            http.headers.add(name: "Connection", value: "close")
        }
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            http.body = .bytes(body)
        }
        return http
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
