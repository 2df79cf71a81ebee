import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Namespaces: phase, bootstrap, cascading deletion", .timeLimit(.minutes(1)))
struct ResourceNamespaceTests {
    let store: ObjectStore
    init() throws { store = try StoreFixtures.memoryStore() }

    private func createNamespace(_ name: String) async throws -> JSONValue {
        try await store.create(StoreFixtures.namespaces, namespace: nil, object: ["metadata": ["name": .string(name)]])
    }

    private func deleteNamespace(_ name: String) async throws -> JSONValue {
        try await store.delete(
            StoreFixtures.namespaces, namespace: nil, name: name, preconditionResourceVersion: nil, preconditionUID: nil
        )
    }

    @Test("a new namespace is Active and labelled with its name")
    func active() async throws {
        let namespace = try await createNamespace("plunder")
        #expect(namespace[path: "status", "phase"] == "Active")
        #expect(namespace.metadataLabels["kubernetes.io/metadata.name"] == "plunder")
        #expect(namespace.metadataNamespace == nil)
    }

    @Test("the standard namespaces exist from the start")
    func bootstrapNamespaces() async throws {
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = try await store.get(StoreFixtures.namespaces, namespace: nil, name: name)
        }
    }

    @Test("a namespace name must be a DNS-1123 label")
    func invalidName() async throws {
        let error = await #expect(throws: Status.self) { try await createNamespace("a.b") }
        #expect(error?.code == 422)
    }

    @Test("deleting a namespace deletes its objects, each with a DELETED event, before the namespace")
    func cascade() async throws {
        _ = try await createNamespace("plunder")
        _ = try await store.create(StoreFixtures.configMaps, namespace: "plunder", object: StoreFixtures.configMap("a"))
        _ = try await store.create(StoreFixtures.services, namespace: "plunder", object: StoreFixtures.service("web"))
        _ = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("kept"))
        var options = ListOptions()
        options.resourceVersion = String(await store.resourceVersion)
        var configMapEvents = WatchReader(
            try await store.watch(StoreFixtures.configMaps, namespace: nil, options: options))
        var namespaceEvents = WatchReader(
            try await store.watch(StoreFixtures.namespaces, namespace: nil, options: options))

        let deleted = try await deleteNamespace("plunder")

        await store.closeAllWatches()
        let configMapDeletions = await configMapEvents.rest()
        #expect(
            configMapDeletions.map(\.summary).map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == [
                "DELETED a"
            ])
        #expect(
            configMapDeletions.first.map { $0.object.resourceVersionNumber < deleted.resourceVersionNumber } == true)
        #expect(await namespaceEvents.rest().map(\.kind) == [.deleted])
        let remaining = try await store.list(StoreFixtures.configMaps, namespace: nil, options: ListOptions())
        #expect(remaining.items.map(\.metadataName) == ["kept"])
        await #expect(throws: Status.self) {
            try await store.get(StoreFixtures.services, namespace: "plunder", name: "web")
        }
    }

    @Test("a Service deleted with its namespace gives back its cluster IP")
    func cascadeReleasesAllocations() async throws {
        _ = try await createNamespace("plunder")
        var service = StoreFixtures.service("web", type: "NodePort", ports: [["port": 80, "nodePort": 30111]])
        service[path: "spec", "clusterIP"] = "10.100.1.1"
        _ = try await store.create(StoreFixtures.services, namespace: "plunder", object: service)
        _ = try await deleteNamespace("plunder")
        _ = try await store.create(StoreFixtures.services, namespace: "default", object: service)
    }

    @Test(
        "default, kube-system and kube-public cannot be deleted (403)",
        arguments: ["default", "kube-system", "kube-public"])
    func protectedNamespaces(name: String) async throws {
        let error = await #expect(throws: Status.self) { try await deleteNamespace(name) }
        #expect(error?.code == 403)
    }
}
