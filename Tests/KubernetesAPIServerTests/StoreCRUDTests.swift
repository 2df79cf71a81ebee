import Foundation
import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Object store: create, get, list, update, delete", .timeLimit(.minutes(1)))
struct StoreCRUDTests {
    let store: ObjectStore
    init() throws { store = try StoreFixtures.memoryStore() }

    @Test("create fills uid, resourceVersion, creationTimestamp, generation, kind and apiVersion")
    func createFillsServerFields() async throws {
        let before = await store.resourceVersion
        let created = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: ["metadata": ["name": "pools"]])
        #expect(created.kind == "ConfigMap")
        #expect(created.apiVersion == "v1")
        #expect(created.metadataNamespace == "default")
        #expect(created.resourceVersionNumber == before + 1)
        #expect(created[path: "metadata", "generation"] == 1)
        let uid = try #require(created.metadataUID)
        #expect(UUID(uuidString: uid) != nil && uid == uid.lowercased())
        let timestamp = try #require(created[path: "metadata", "creationTimestamp"]?.stringValue)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
    }

    @Test("get returns what create stored")
    func getReturnsCreated() async throws {
        let created = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a", data: ["k": "v"]))
        let fetched = try await store.get(StoreFixtures.configMaps, namespace: "default", name: "a")
        #expect(fetched == created)
    }

    @Test("get of a missing object is 404 NotFound in kube-apiserver's words")
    func getMissing() async throws {
        let error = await #expect(throws: Status.self) {
            try await store.get(StoreFixtures.leases, namespace: "default", name: "nope")
        }
        #expect(error?.code == 404)
        #expect(error?.reason == .notFound)
        #expect(error?.message == "leases.coordination.k8s.io \"nope\" not found")
    }

    @Test("creating an existing name is 409 AlreadyExists")
    func createTwice() async throws {
        _ = try await store.create(StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        let error = await #expect(throws: Status.self) {
            try await store.create(StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        }
        #expect(error?.code == 409)
        #expect(error?.reason == .alreadyExists)
    }

    @Test("the same name in another namespace is another object")
    func namesArePerNamespace() async throws {
        _ = try await store.create(StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        _ = try await store.create(
            StoreFixtures.configMaps, namespace: "kube-system", object: StoreFixtures.configMap("a"))
        let all = try await store.list(StoreFixtures.configMaps, namespace: nil, options: ListOptions())
        #expect(all.items.map(\.metadataNamespace) == ["default", "kube-system"])
    }

    @Test("creating in a namespace that does not exist is 404 for the namespace")
    func createInMissingNamespace() async throws {
        let error = await #expect(throws: Status.self) {
            try await store.create(StoreFixtures.configMaps, namespace: "nowhere", object: StoreFixtures.configMap("a"))
        }
        #expect(error?.code == 404)
        #expect(error?.message == "namespaces \"nowhere\" not found")
    }

    @Test("a body namespace that contradicts the request is 400")
    func namespaceMismatch() async throws {
        var object = StoreFixtures.configMap("a")
        object[path: "metadata", "namespace"] = "kube-system"
        let error = await #expect(throws: Status.self) {
            try await store.create(StoreFixtures.configMaps, namespace: "default", object: object)
        }
        #expect(error?.code == 400)
    }

    @Test("generateName gives a unique name with five random characters")
    func generateName() async throws {
        let object: JSONValue = ["metadata": ["generateName": "web-"]]
        let first = try await store.create(StoreFixtures.configMaps, namespace: "default", object: object)
        let second = try await store.create(StoreFixtures.configMaps, namespace: "default", object: object)
        let name = try #require(first.metadataName)
        #expect(name.hasPrefix("web-") && name.count == 9)
        #expect(first.metadataName != second.metadataName)
    }

    @Test("a missing name is 422 Invalid with a metadata.name cause")
    func missingName() async throws {
        let error = await #expect(throws: Status.self) {
            try await store.create(StoreFixtures.configMaps, namespace: "default", object: ["data": [:]])
        }
        #expect(error?.code == 422)
        #expect(error?.details?.causes?.first?.field == "metadata.name")
        #expect(
            error?.message
                == "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required")
    }

    @Test("a name that is not a DNS-1123 subdomain is 422 Invalid")
    func invalidName() async throws {
        let error = await #expect(throws: Status.self) {
            try await store.create(
                StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("Bad_Name"))
        }
        #expect(error?.code == 422)
        #expect(error?.details?.causes?.first?.reason == "FieldValueInvalid")
    }

    @Test("a body of another kind is 422 Invalid")
    func wrongKind() async throws {
        var object = StoreFixtures.configMap("a")
        object["kind"] = "Secret"
        let error = await #expect(throws: Status.self) {
            try await store.create(StoreFixtures.configMaps, namespace: "default", object: object)
        }
        #expect(error?.code == 422)
    }

    @Test("update replaces the object and advances its resourceVersion")
    func update() async throws {
        let created = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a", data: ["k": "1"]))
        var changed = created
        changed["data"] = ["k": "2"]
        let updated = try await store.update(
            StoreFixtures.configMaps, namespace: "default", name: "a", object: changed, subresource: .main)
        #expect(updated["data"] == ["k": "2"])
        #expect(updated.resourceVersionNumber > created.resourceVersionNumber)
        #expect(updated.metadataUID == created.metadataUID)
        #expect(updated[path: "metadata", "creationTimestamp"] == created[path: "metadata", "creationTimestamp"])
    }

    @Test("update of a missing object is 404")
    func updateMissing() async throws {
        let error = await #expect(throws: Status.self) {
            try await store.update(
                StoreFixtures.configMaps, namespace: "default", name: "a", object: StoreFixtures.configMap("a"),
                subresource: .main)
        }
        #expect(error?.code == 404)
    }

    @Test("an update whose body names another object is 400")
    func updateNameMismatch() async throws {
        _ = try await store.create(StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        let error = await #expect(throws: Status.self) {
            try await store.update(
                StoreFixtures.configMaps, namespace: "default", name: "a", object: StoreFixtures.configMap("b"),
                subresource: .main)
        }
        #expect(error?.code == 400)
    }

    @Test("an update that changes nothing keeps the resourceVersion and writes nothing")
    func noOpUpdate() async throws {
        let created = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        let before = await store.resourceVersion
        let same = try await store.update(
            StoreFixtures.configMaps, namespace: "default", name: "a", object: created, subresource: .main)
        #expect(same == created)
        #expect(await store.resourceVersion == before)
    }

    @Test("the server-owned metadata survives an update that omits or changes it")
    func serverFieldsKept() async throws {
        let created = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        var body = StoreFixtures.configMap("a", data: ["k": "v"])
        body[path: "metadata", "uid"] = "not-the-uid"
        let updated = try await store.update(
            StoreFixtures.configMaps, namespace: "default", name: "a", object: body, subresource: .main)
        #expect(updated.metadataUID == created.metadataUID)
        #expect(updated[path: "metadata", "creationTimestamp"] == created[path: "metadata", "creationTimestamp"])
    }

    @Test("modify transforms the stored object in one step")
    func modify() async throws {
        _ = try await store.create(StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        let (object, created) = try await store.modify(
            StoreFixtures.configMaps, namespace: "default", name: "a", subresource: .main, createIfMissing: false
        ) { current throws(Status) in
            var next = current ?? [:]
            next[path: "data", "patched"] = "yes"
            return next
        }
        #expect(!created)
        #expect(object[path: "data", "patched"] == "yes")
    }

    @Test("modify with createIfMissing creates from nil, as server-side apply does")
    func modifyCreates() async throws {
        let (object, created) = try await store.modify(
            StoreFixtures.configMaps, namespace: "default", name: "applied", subresource: .main, createIfMissing: true
        ) { current throws(Status) in
            #expect(current == nil)
            return ["metadata": ["name": "applied"], "data": ["k": "v"]]
        }
        #expect(created)
        #expect(object.metadataUID != nil)
    }

    @Test("modify of a missing object without createIfMissing is 404")
    func modifyMissing() async throws {
        let error = await #expect(throws: Status.self) {
            try await store.modify(
                StoreFixtures.configMaps, namespace: "default", name: "a", subresource: .main, createIfMissing: false
            ) { current throws(Status) in current ?? [:] }
        }
        #expect(error?.code == 404)
    }

    @Test("delete removes the object and returns it with the deletion's resourceVersion")
    func delete() async throws {
        let created = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        let deleted = try await store.delete(
            StoreFixtures.configMaps, namespace: "default", name: "a", preconditionResourceVersion: nil,
            preconditionUID: nil)
        #expect(deleted.metadataUID == created.metadataUID)
        #expect(deleted.resourceVersionNumber == (await store.resourceVersion))
        await #expect(throws: Status.self) {
            try await store.get(StoreFixtures.configMaps, namespace: "default", name: "a")
        }
    }

    @Test("dry runs validate and answer but store nothing")
    func dryRun() async throws {
        let before = await store.resourceVersion
        let answer = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"), dryRun: true)
        #expect(answer.metadataName == "a")
        #expect(await store.resourceVersion == before)
        await #expect(throws: Status.self) {
            try await store.get(StoreFixtures.configMaps, namespace: "default", name: "a")
        }
    }

    @Test("the resourceVersion is global across kinds and only grows")
    func globalResourceVersion() async throws {
        let first = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        let second = try await store.create(
            StoreFixtures.leases, namespace: "default", object: ["metadata": ["name": "leader"], "spec": [:]])
        #expect(second.resourceVersionNumber == first.resourceVersionNumber + 1)
    }
}
