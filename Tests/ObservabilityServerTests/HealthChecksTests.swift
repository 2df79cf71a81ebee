import ObservabilityServer
import Synchronization
import Testing

@Suite("Health check registry")
struct HealthChecksTests {
    @Test("checks answer in registration order, liveness and readiness apart")
    func order() {
        let health = HealthChecks()
        health.addLiveness("b") { .ok }
        health.addLiveness("a") { .failing("down") }
        health.addReadiness("c") { .ok }
        #expect(health.liveness().map(\.name) == ["b", "a"])
        #expect(health.liveness().map(\.result) == [.ok, .failing("down")])
        #expect(health.readiness().map(\.name) == ["c"])
    }

    @Test("a check added again under the same name replaces the old one in place")
    func replaceByName() {
        let health = HealthChecks()
        health.addReadiness("leader") { .failing("old") }
        health.addReadiness("informer") { .ok }
        health.addReadiness("leader") { .ok }
        #expect(health.readiness().map(\.name) == ["leader", "informer"])
        #expect(health.readiness().map(\.result) == [.ok, .ok])
    }

    @Test("checks are evaluated on every call, not cached")
    func evaluatedEachTime() {
        let health = HealthChecks()
        let calls = Atomic(0)
        health.addLiveness("counting") {
            calls.add(1, ordering: .relaxed)
            return .ok
        }
        _ = health.liveness()
        _ = health.liveness()
        #expect(calls.load(ordering: .relaxed) == 2)
    }

    @Test("a check may register another check without deadlocking")
    func reentrantRegistration() {
        let health = HealthChecks()
        health.addLiveness("registers") { [weak health] in
            health?.addReadiness("late") { .ok }
            return .ok
        }
        _ = health.liveness()
        #expect(health.readiness().map(\.name) == ["late"])
    }
}
