import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Object store: optimistic concurrency", .timeLimit(.minutes(1)))
struct StoreConcurrencyTests {
    let store: ObjectStore
    init() throws { store = try StoreFixtures.memoryStore() }

    private func createAndChange() async throws -> (stale: JSONValue, current: JSONValue) {
        let created = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a", data: ["k": "1"]))
        var next = created
        next["data"] = ["k": "2"]
        let current = try await store.update(
            StoreFixtures.configMaps, namespace: "default", name: "a", object: next, subresource: .main)
        return (created, current)
    }

    @Test("an update carrying a stale resourceVersion is 409 Conflict")
    func staleUpdate() async throws {
        var (stale, _) = try await createAndChange()
        stale["data"] = ["k": "3"]
        let error = await #expect(throws: Status.self) {
            try await store.update(
                StoreFixtures.configMaps, namespace: "default", name: "a", object: stale, subresource: .main)
        }
        #expect(error?.code == 409)
        #expect(error?.reason == .conflict)
        #expect(error?.message.hasPrefix("Operation cannot be fulfilled on configmaps \"a\"") == true)
    }

    @Test("an update without a resourceVersion is unconditional")
    func unconditionalUpdate() async throws {
        _ = try await createAndChange()
        let updated = try await store.update(
            StoreFixtures.configMaps, namespace: "default", name: "a",
            object: StoreFixtures.configMap("a", data: ["k": "3"]), subresource: .main)
        #expect(updated["data"] == ["k": "3"])
    }

    @Test("a patch result carrying a stale resourceVersion is 409 Conflict")
    func stalePatch() async throws {
        let (stale, _) = try await createAndChange()
        let staleVersion = stale.metadataResourceVersion
        let error = await #expect(throws: Status.self) {
            try await store.modify(
                StoreFixtures.configMaps, namespace: "default", name: "a", subresource: .main, createIfMissing: false
            ) { current throws(Status) in
                var next = current ?? [:]
                next[path: "metadata", "resourceVersion"] = staleVersion.map(JSONValue.string)
                return next
            }
        }
        #expect(error?.code == 409)
    }

    @Test("delete with a stale resourceVersion precondition is 409 and deletes nothing")
    func staleDeletePrecondition() async throws {
        let (stale, _) = try await createAndChange()
        let error = await #expect(throws: Status.self) {
            try await store.delete(
                StoreFixtures.configMaps, namespace: "default", name: "a",
                preconditionResourceVersion: stale.metadataResourceVersion, preconditionUID: nil)
        }
        #expect(error?.code == 409)
        #expect(error?.message.contains("Precondition failed: ResourceVersion in precondition") == true)
        _ = try await store.get(StoreFixtures.configMaps, namespace: "default", name: "a")
    }

    @Test("delete with another object's uid as precondition is 409")
    func wrongUIDPrecondition() async throws {
        _ = try await createAndChange()
        let error = await #expect(throws: Status.self) {
            try await store.delete(
                StoreFixtures.configMaps, namespace: "default", name: "a", preconditionResourceVersion: nil,
                preconditionUID: "00000000-0000-0000-0000-000000000000")
        }
        #expect(error?.code == 409)
    }

    @Test("delete with matching preconditions succeeds")
    func matchingPreconditions() async throws {
        let (_, current) = try await createAndChange()
        _ = try await store.delete(
            StoreFixtures.configMaps, namespace: "default", name: "a",
            preconditionResourceVersion: current.metadataResourceVersion, preconditionUID: current.metadataUID)
    }

    @Test("concurrent read-modify-write cycles with retries on 409 lose no increment")
    func concurrentIncrements() async throws {
        _ = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("counter", data: ["n": "0"])
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { [store] in
                    for _ in 0..<10 {
                        while true {
                            var object = try await store.get(
                                StoreFixtures.configMaps, namespace: "default", name: "counter")
                            await Task.yield()  // let the other writers in between read and write
                            let value = Int(object[path: "data", "n"]?.stringValue ?? "") ?? 0
                            object[path: "data", "n"] = .string(String(value + 1))
                            do {
                                _ = try await store.update(
                                    StoreFixtures.configMaps, namespace: "default", name: "counter", object: object,
                                    subresource: .main)
                                break
                            } catch let conflict as Status where conflict.code == 409 {
                                continue
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let final = try await store.get(StoreFixtures.configMaps, namespace: "default", name: "counter")
        #expect(final[path: "data", "n"] == "80")
    }
}
