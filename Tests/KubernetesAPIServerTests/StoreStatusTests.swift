import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Object store: the status subresource", .timeLimit(.minutes(1)))
struct StoreStatusTests {
    let store: ObjectStore
    init() throws { store = try StoreFixtures.memoryStore() }

    private let ingress: JSONValue = ["loadBalancer": ["ingress": [["ip": "198.51.100.100"]]]]

    @Test("a status update changes only the status")
    func statusUpdateChangesOnlyStatus() async throws {
        var service = try await store.create(
            StoreFixtures.services, namespace: "default", object: StoreFixtures.service("web"))
        service["status"] = ingress
        service[path: "spec", "type"] = "NodePort"
        service[path: "metadata", "labels"] = ["sneaky": "yes"]
        let updated = try await store.update(
            StoreFixtures.services, namespace: "default", name: "web", object: service, subresource: .status)
        #expect(updated["status"] == ingress)
        #expect(updated[path: "spec", "type"] == "ClusterIP")
        #expect(updated.metadataLabels["sneaky"] == nil)
    }

    @Test("a main update keeps the stored status")
    func mainUpdateKeepsStatus() async throws {
        var service = try await store.create(
            StoreFixtures.services, namespace: "default", object: StoreFixtures.service("web"))
        service["status"] = ingress
        service = try await store.update(
            StoreFixtures.services, namespace: "default", name: "web", object: service, subresource: .status)
        service["status"] = ["loadBalancer": [:]]
        service[path: "metadata", "labels"] = ["team": "a"]
        let updated = try await store.update(
            StoreFixtures.services, namespace: "default", name: "web", object: service, subresource: .main)
        #expect(updated["status"] == ingress)
        #expect(updated.metadataLabels["team"] == "a")
    }

    @Test("a status set on create is dropped for kinds with a status subresource")
    func createDropsStatus() async throws {
        var service = StoreFixtures.service("web")
        service["status"] = ingress
        let created = try await store.create(StoreFixtures.services, namespace: "default", object: service)
        #expect(created["status"] == ["loadBalancer": [:]])
    }

    @Test("a status update with a stale resourceVersion is 409")
    func staleStatusUpdate() async throws {
        let created = try await store.create(
            StoreFixtures.services, namespace: "default", object: StoreFixtures.service("web"))
        var changed = created
        changed[path: "metadata", "labels"] = ["x": "y"]
        _ = try await store.update(
            StoreFixtures.services, namespace: "default", name: "web", object: changed, subresource: .main)
        var stale = created
        stale["status"] = ingress
        let error = await #expect(throws: Status.self) {
            try await store.update(
                StoreFixtures.services, namespace: "default", name: "web", object: stale, subresource: .status)
        }
        #expect(error?.code == 409)
    }

    @Test("a status update of a kind without a status subresource is 404")
    func noStatusSubresource() async throws {
        let created = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        let error = await #expect(throws: Status.self) {
            try await store.update(
                StoreFixtures.configMaps, namespace: "default", name: "a", object: created, subresource: .status)
        }
        #expect(error?.code == 404)
    }

    @Test("a status patch through modify changes only the status")
    func statusPatch() async throws {
        _ = try await store.create(StoreFixtures.services, namespace: "default", object: StoreFixtures.service("web"))
        let ingress = self.ingress
        let (updated, _) = try await store.modify(
            StoreFixtures.services, namespace: "default", name: "web", subresource: .status, createIfMissing: false
        ) { current throws(Status) in
            var next = current ?? [:]
            next["status"] = ingress
            next[path: "spec", "type"] = "LoadBalancer"
            return next
        }
        #expect(updated["status"] == ingress)
        #expect(updated[path: "spec", "type"] == "ClusterIP")
    }
}
