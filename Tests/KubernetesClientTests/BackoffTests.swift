import KubernetesClient
import Testing

@Suite("Backoff and retry rules")
struct BackoffTests {
    @Test("without jitter the delay doubles from 800 ms up to the 30 s cap")
    func doublesToCap() {
        var backoff = Backoff(jitter: 0)
        let delays = (0..<8).map { _ in backoff.nextDelay() }
        #expect(
            delays == [
                .milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400),
                .milliseconds(12800), .milliseconds(25600), .seconds(30), .seconds(30),
            ])
    }

    @Test("jitter adds up to the full delay on top, never beyond the cap")
    func jitterBounds() {
        var high = Backoff(random: { 0.999 })
        #expect(high.nextDelay() > .milliseconds(1590))
        var low = Backoff(random: { 0 })
        #expect(low.nextDelay() == .milliseconds(800))
        var capped = Backoff(initial: .seconds(20), random: { 0.999 })
        #expect(capped.nextDelay() == .seconds(30))
    }

    @Test("two minutes of health reset the delay; less does not")
    func resetAfterHealth() {
        var backoff = Backoff(jitter: 0)
        _ = backoff.nextDelay()
        _ = backoff.nextDelay()
        backoff.noteHealthy(since: .seconds(10), now: .seconds(60))
        #expect(backoff.nextDelay() == .milliseconds(3200))
        backoff.noteHealthy(since: .seconds(10), now: .seconds(130))
        #expect(backoff.nextDelay() == .milliseconds(800))
    }
}
