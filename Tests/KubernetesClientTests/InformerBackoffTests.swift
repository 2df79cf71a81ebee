import KubernetesClient
import KubernetesModels
import Testing

@Suite("Informer backoff in virtual time", .timeLimit(.minutes(1)))
struct InformerBackoffTests {
    @Test("while the API server is unreachable, attempts are spaced 800 ms, 1.6 s, 3.2 s apart")
    func backsOffWhileUnreachable() async throws {
        let clock = TestClock()
        // Nothing listens on port 1, so every attempt fails at once with "connection refused".
        try await withClient(port: 1, retry: .never, clock: ClientClock(clock)) { client in
            let informer = client.informer(
                .configMaps, namespace: "default", options: InformerOptions(backoff: Backoff(random: { 0 })),
                as: JSONValue.self)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Ends with CancellationError when the test is done with it.
                    _ = try? await informer.first { _ in false }
                }
                var delays: [Duration] = []
                for _ in 0..<3 {
                    await clock.waitForSleepers(1)
                    delays += clock.pendingDelays
                    clock.advance(by: clock.pendingDelays.first ?? .zero)
                }
                group.cancelAll()
                #expect(delays == [.milliseconds(800), .milliseconds(1600), .milliseconds(3200)])
            }
        }
    }
}
