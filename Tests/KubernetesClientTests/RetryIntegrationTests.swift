import Hummingbird
import KubernetesClient
import KubernetesModels
import Logging
import NIOCore
import Testing

/// An HTTP server that answers from a script, to see how the client reacts to 429 and 503.
actor ScriptedAnswers {
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var retryAfter: String?
    }

    private var script: [Answer]
    private(set) var requests = 0

    init(_ script: [Answer]) { self.script = script }

    /// The next scripted answer; once the script is used up, 200 with a ConfigMap.
    func next() -> Response {
        requests += 1
        guard !script.isEmpty else {
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"default"}}"#
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        let answer = script.removeFirst()
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = answer.retryAfter { headers[.retryAfter] = retryAfter }
        let status = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"busy","code":\#(answer.status.code)}"#
        return Response(status: answer.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: status)))
    }
}

/// Runs the scripted server for the length of `body` (cancelled and awaited however `body` ends).
@discardableResult
func withScriptedServer<T>(_ answers: ScriptedAnswers, _ body: (Int) async throws -> T) async throws -> T {
    let router = Router()
    router.get("/api/v1/namespaces/default/configmaps/x") { _, _ in await answers.next() }
    router.post("/api/v1/namespaces/default/configmaps") { _, _ in await answers.next() }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "client-tests.scripted-server")
    logger.logLevel = .critical
    let application = Application(
        router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        }, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await application.runService() }
        do {
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result = try await body(port)
            group.cancelAll()
            try? await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            try? await group.waitForAll()
            throw error
        }
    }
}

@Suite("Retrying 429 and 5xx", .timeLimit(.minutes(1)))
struct RetryIntegrationTests {
    @Test("429 and 503 with Retry-After are retried after exactly the delay asked for (virtual time)")
    func honoursRetryAfter() async throws {
        let answers = ScriptedAnswers([.init(status: .tooManyRequests, retryAfter: "1"), .init(status: .serviceUnavailable, retryAfter: "2")])
        let clock = TestClock()
        try await withScriptedServer(answers) { port in
            try await withClient(port: port, clock: ClientClock(clock)) { client in
                try await withThrowingTaskGroup(of: ConfigMap.self) { group in
                    group.addTask { try await client.get(.configMaps, namespace: "default", name: "x", as: ConfigMap.self) }
                    await clock.waitForSleepers(1)
                    #expect(clock.pendingDelays == [.seconds(1)])
                    clock.advance(by: .seconds(1))
                    await clock.waitForSleepers(1)
                    #expect(clock.pendingDelays == [.seconds(2)])
                    clock.advance(by: .seconds(2))
                    let configMap = try await group.next()
                    #expect(configMap?.metadata.name == "x")
                }
            }
        }
        #expect(await answers.requests == 3)
    }

    @Test("a huge Retry-After is capped at the policy's maximum delay")
    func capsRetryAfter() async throws {
        let answers = ScriptedAnswers([.init(status: .tooManyRequests, retryAfter: "3600")])
        let clock = TestClock()
        try await withScriptedServer(answers) { port in
            try await withClient(port: port, retry: RetryPolicy(maximumDelay: .seconds(5)), clock: ClientClock(clock)) { client in
                try await withThrowingTaskGroup(of: ConfigMap.self) { group in
                    group.addTask { try await client.get(.configMaps, namespace: "default", name: "x", as: ConfigMap.self) }
                    await clock.waitForSleepers(1)
                    #expect(clock.pendingDelays == [.seconds(5)])
                    clock.advance(by: .seconds(5))
                    _ = try await group.next()
                }
            }
        }
    }

    @Test("a 503 without Retry-After is not retried for a POST, which may have been applied")
    func noBlindRetryOfPost() async throws {
        let answers = ScriptedAnswers([.init(status: .serviceUnavailable, retryAfter: nil)])
        try await withScriptedServer(answers) { port in
            try await withClient(port: port, clock: ClientClock(TestClock())) { client in
                await #expect {
                    _ = try await client.create(.configMaps, namespace: "default", object: configMap("x", "1"))
                } throws: { error in
                    (error as? KubernetesClientError)?.code == 503
                }
            }
        }
        #expect(await answers.requests == 1)
    }

    @Test("when retries run out, the last answer's Status is thrown")
    func retriesRunOut() async throws {
        let answers = ScriptedAnswers(Array(repeating: .init(status: .tooManyRequests, retryAfter: "0"), count: 5))
        try await withScriptedServer(answers) { port in
            try await withClient(port: port, retry: RetryPolicy(maximumRetries: 2), clock: ClientClock(TestClock())) { client in
                await #expect {
                    _ = try await client.get(.configMaps, namespace: "default", name: "x")
                } throws: { error in
                    guard case .status(let status) = error as? KubernetesClientError else { return false }
                    return status.code == 429 && status.message == "busy"
                }
            }
        }
        #expect(await answers.requests == 3)
    }
}
