import Clocks
import KubernetesClient
import Testing

@testable import LeaderElection

/// Nothing here sleeps, so swift-clocks' `TestClock` is all the virtual time these need.
@Suite("Write fence")
struct WriteFenceTests {
    let clock = TestClock<Duration>()
    var fence: WriteFence { WriteFence(clock: ClientClock(clock)) }

    @Test("a new fence is closed")
    func closedWhenNew() {
        let fence = self.fence
        #expect(!fence.permitsWrites())
        #expect(fence.remaining() == nil)
    }

    @Test("an open fence permits writes and tells how long is left")
    func openUntilDeadline() async {
        let fence = self.fence
        fence.open(until: .seconds(10))
        await clock.advance(by: .seconds(4))
        #expect(fence.permitsWrites())
        #expect(fence.remaining() == .seconds(6))
    }

    @Test("the fence closes by itself at the deadline, without anyone calling it")
    func closesAtDeadline() async {
        let fence = self.fence
        fence.open(until: .seconds(10))
        await clock.advance(by: .seconds(10))
        #expect(!fence.permitsWrites())
        #expect(fence.remaining() == nil)
    }

    @Test("closing the fence stops writes before the deadline")
    func closesEarly() {
        let fence = self.fence
        fence.open(until: .seconds(10))
        fence.close()
        #expect(!fence.permitsWrites())
    }
}
