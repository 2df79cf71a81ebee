import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Deployments: defaults, generation, status", .timeLimit(.minutes(1)))
struct ResourceDeploymentTests {
    let store: ObjectStore
    init() throws { store = try StoreFixtures.memoryStore() }

    private func update(_ object: JSONValue, _ subresource: Subresource = .main) async throws -> JSONValue {
        try await store.update(
            StoreFixtures.deployments, namespace: "default", name: object.metadataName ?? "", object: object,
            subresource: subresource)
    }

    @Test("a Deployment gets apps/v1 defaults")
    func defaults() async throws {
        var object = StoreFixtures.deployment("web")
        object[path: "spec", "replicas"] = nil
        let created = try await store.create(StoreFixtures.deployments, namespace: "default", object: object)
        #expect(created[path: "spec", "replicas"] == 1)
        #expect(
            created[path: "spec", "strategy"] == [
                "type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"],
            ])
        #expect(created[path: "spec", "revisionHistoryLimit"] == 10)
        #expect(created[path: "spec", "progressDeadlineSeconds"] == 600)
        #expect(created.apiVersion == "apps/v1")
    }

    @Test("generation starts at 1 and grows when the spec changes")
    func generationOnSpecChange() async throws {
        var object = try await store.create(
            StoreFixtures.deployments, namespace: "default", object: StoreFixtures.deployment("web"))
        #expect(object[path: "metadata", "generation"] == 1)
        object[path: "spec", "replicas"] = 5
        object = try await update(object)
        #expect(object[path: "metadata", "generation"] == 2)
    }

    @Test("generation stays when only metadata or status change")
    func generationWithoutSpecChange() async throws {
        var object = try await store.create(
            StoreFixtures.deployments, namespace: "default", object: StoreFixtures.deployment("web"))
        object[path: "metadata", "labels"] = ["team": "a"]
        object = try await update(object)
        object["status"] = ["replicas": 2, "readyReplicas": 2]
        object = try await update(object, .status)
        #expect(object[path: "metadata", "generation"] == 1)
        #expect(object[path: "status", "readyReplicas"] == 2)
    }

    @Test("a main update does not change the status")
    func mainUpdateKeepsStatus() async throws {
        var object = try await store.create(
            StoreFixtures.deployments, namespace: "default", object: StoreFixtures.deployment("web"))
        object["status"] = ["replicas": 2]
        object = try await update(object, .status)
        object["status"] = ["replicas": 99]
        object = try await update(object)
        #expect(object["status"] == ["replicas": 2])
    }

    @Test("a Deployment without a selector is 422")
    func missingSelector() async throws {
        var object = StoreFixtures.deployment("web")
        object[path: "spec", "selector"] = nil
        let error = await #expect(throws: Status.self) {
            try await store.create(StoreFixtures.deployments, namespace: "default", object: object)
        }
        #expect(error?.details?.causes?.map(\.field) == ["spec.selector"])
        #expect(error?.details?.group == "apps")
    }

    @Test("a selector that does not match the template labels is 422")
    func selectorMismatch() async throws {
        var object = StoreFixtures.deployment("web")
        object[path: "spec", "template", "metadata", "labels"] = ["app": "other"]
        let error = await #expect(throws: Status.self) {
            try await store.create(StoreFixtures.deployments, namespace: "default", object: object)
        }
        #expect(error?.details?.causes?.map(\.field) == ["spec.template.metadata.labels"])
    }
}
