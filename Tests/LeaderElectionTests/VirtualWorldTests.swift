import Testing

@testable import LeaderElection

/// The harness's own promise: a wait that cannot be satisfied fails its test instead of hanging the run.
@Suite("Virtual world: waits always end", .timeLimit(.minutes(1)))
struct VirtualWorldTests {
    @Test("a wait whose task is cancelled, before or after it started waiting, fails naming what it awaited")
    func cancelledWaitFails() async throws {
        let world = VirtualWorld()
        world.register("a")
        // Each cancelled wait records an issue of its own (a time limit's cancellation hides what the test
        // throws); here those are the expected outcome, any other issue is not.
        try await withKnownIssue("every cancelled wait says what it awaited") {
            // Cancelling at once or after a few hops of the waiting task covers both orders: the cancellation
            // arriving before the waiter is registered, and finding it registered.
            for hops in 0..<5 {
                let outcome = await withTaskGroup(of: (any Error)?.self) { group in
                    group.addTask {
                        do {
                            try await world.wait(for: "a to stop", until: { $0.electors["a"]?.phase == .stopped })
                            return nil
                        } catch {
                            return error
                        }
                    }
                    for _ in 0..<hops { await Task.yield() }
                    group.cancelAll()
                    return await group.next() ?? nil
                }
                let failure = try #require(outcome as? WorldWaitFailed, "hops: \(hops)")
                #expect(failure.awaited == "a to stop")
                #expect(failure.reason == .cancelled)
                #expect(failure.world.contains("a: idle"))
            }
        } matching: { issue in
            issue.comments.contains { $0.rawValue.hasPrefix("gave up waiting for a to stop: the test was cancelled") }
        }
    }

    @Test("a change reported on a stream that has finished without delivering it fails settling at once")
    func undeliverableChangeFailsSettling() async throws {
        let world = VirtualWorld()
        world.register("a")
        world.starting("a")
        world.record(.reported(.leading), of: "a")
        world.received(.leading, by: "a")
        world.record(.stopped, of: "a")
        world.streamFinished(of: "a")
        world.record(.reported(.following(holder: nil)), of: "a")
        let failure = await #expect(throws: WorldWaitFailed.self) { try await world.settle("after the release") }
        let reason = try #require(failure?.reason.description)
        #expect(reason.contains("a reported 2 change(s)"))
        #expect(reason.contains("delivering 1"))
    }

    @Test("a settle already waiting fails as soon as the stream finishes short of what was reported")
    func pendingSettleFailsWhenStreamFinishes() async {
        let world = VirtualWorld()
        world.register("a")
        world.starting("a")
        world.record(.stopped, of: "a")
        world.record(.reported(.leading), of: "a")
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await world.settle("while a's change is on its way") }
            world.streamFinished(of: "a")
            await #expect(throws: WorldWaitFailed.self) { try await group.next() }
        }
    }
}
