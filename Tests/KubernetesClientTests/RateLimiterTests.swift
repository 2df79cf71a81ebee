import KubernetesClient
import Testing

@Suite("Token bucket and rate limiter")
struct RateLimiterTests {
    @Test("a full bucket lets a burst through, then spaces reservations at 1/rate")
    func bucketReservations() {
        var bucket = TokenBucket(rate: 10, burst: 3, now: .zero)
        let waits = (0..<5).map { _ in bucket.reserve(at: .zero) }
        #expect(waits == [.zero, .zero, .zero, .milliseconds(100), .milliseconds(200)])
    }

    @Test("tokens refill with time but never beyond the burst")
    func bucketRefill() {
        var bucket = TokenBucket(rate: 10, burst: 2, now: .zero)
        _ = bucket.reserve(at: .zero)
        _ = bucket.reserve(at: .zero)
        #expect(bucket.tryTake(at: .milliseconds(50)) == false)
        #expect(bucket.tryTake(at: .milliseconds(100)) == true)
        #expect(bucket.tryTake(at: .seconds(100)) == true)
        #expect(bucket.tryTake(at: .seconds(100)) == true)
        #expect(bucket.tryTake(at: .seconds(100)) == false)
    }

    @Test("a zero rate means no limit")
    func unlimited() {
        var bucket = TokenBucket(rate: 0, burst: 1, now: .zero)
        #expect((0..<100).allSatisfy { _ in bucket.reserve(at: .zero) == .zero })
    }

    @Test("N requests at q per second after a burst of b finish at (N - b) / q, in virtual time")
    func limiterInVirtualTime() async throws {
        let clock = TestClock()
        let limiter = RateLimiter(RateLimit(queriesPerSecond: 2, burst: 3), clock: ClientClock(clock))
        let finishTimes = try await withThrowingTaskGroup(of: Duration.self) { group in
            for _ in 0..<7 {
                group.addTask {
                    try await limiter.acquire()
                    return clock.elapsed
                }
            }
            // Four requests must wait; release them by moving time half a second at a time.
            await clock.waitForSleepers(4)
            #expect(clock.pendingDelays == [.milliseconds(500), .seconds(1), .milliseconds(1500), .seconds(2)])
            var times: [Duration] = []
            for _ in 0..<3 {
                if let time = try await group.next() { times.append(time) }
            }
            for _ in 0..<4 {
                clock.advance(by: .milliseconds(500))
                if let time = try await group.next() { times.append(time) }
            }
            return times
        }
        #expect(finishTimes == [.zero, .zero, .zero, .milliseconds(500), .seconds(1), .milliseconds(1500), .seconds(2)])
    }

    @Test("a cancelled waiter gives its reservation back")
    func cancellationReturnsToken() async throws {
        let clock = TestClock()
        let limiter = RateLimiter(RateLimit(queriesPerSecond: 1, burst: 1), clock: ClientClock(clock))
        try await limiter.acquire()
        let outcome = await withTaskGroup(of: Result<Void, any Error>.self) { group in
            group.addTask {
                do {
                    try await limiter.acquire()
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            await clock.waitForSleepers(1)
            group.cancelAll()
            return await group.next()
        }
        #expect(throws: CancellationError.self) { try outcome?.get() }
        // Only the cancelled reservation was outstanding, so after one second a token is free again.
        clock.advance(by: .seconds(1))
        try await limiter.acquire()
        #expect(clock.pendingDelays.isEmpty)
    }
}
