import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Object store: lists, selectors and pages", .timeLimit(.minutes(1)))
struct StoreListTests {
    let store: ObjectStore
    init() throws { store = try StoreFixtures.memoryStore() }

    private func createConfigMaps(_ names: [String], labels: (String) -> [String: String] = { _ in [:] }) async throws {
        for name in names {
            _ = try await store.create(
                StoreFixtures.configMaps, namespace: "default",
                object: StoreFixtures.configMap(name, labels: labels(name)))
        }
    }

    @Test("a list is sorted by namespace and name and carries the current resourceVersion")
    func listOrderAndVersion() async throws {
        try await createConfigMaps(["c", "a", "b"])
        let page = try await store.list(StoreFixtures.configMaps, namespace: "default", options: ListOptions())
        #expect(page.items.map(\.metadataName) == ["a", "b", "c"])
        #expect(page.resourceVersion == String(await store.resourceVersion))
        #expect(page.continueToken == nil)
    }

    @Test("a label selector keeps only matching objects")
    func labelSelector() async throws {
        try await createConfigMaps(["a", "b", "c"]) { ["tier": $0 == "b" ? "db" : "web"] }
        var options = ListOptions()
        options.labelSelector = try LabelSelector(parsing: "tier=web")
        let page = try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
        #expect(page.items.map(\.metadataName) == ["a", "c"])
    }

    @Test("a field selector on metadata.name keeps only that object")
    func fieldSelector() async throws {
        try await createConfigMaps(["a", "b"])
        var options = ListOptions()
        options.fieldSelector = try FieldSelector(parsing: "metadata.name=b")
        let page = try await store.list(StoreFixtures.configMaps, namespace: nil, options: options)
        #expect(page.items.map(\.metadataName) == ["b"])
    }

    @Test("a list without a namespace spans all namespaces")
    func clusterWideList() async throws {
        let page = try await store.list(StoreFixtures.namespaces, namespace: nil, options: ListOptions())
        #expect(page.items.map(\.metadataName) == ["default", "kube-node-lease", "kube-public", "kube-system"])
    }

    @Test("pages with limit and continue walk every object exactly once")
    func pagination() async throws {
        let names = (0..<7).map { "cm-\($0)" }
        try await createConfigMaps(names)
        var options = ListOptions()
        options.limit = 3
        var seen: [String] = []
        var pages = 0
        repeat {
            let page = try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
            seen += page.items.compactMap(\.metadataName)
            pages += 1
            options.continueToken = page.continueToken
        } while options.continueToken != nil
        #expect(seen == names)
        #expect(pages == 3)
    }

    @Test("later pages show the state of the first page, not writes made in between")
    func paginationIsConsistent() async throws {
        try await createConfigMaps(["a", "b", "c", "d"])
        var options = ListOptions()
        options.limit = 2
        let first = try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
        _ = try await store.delete(
            StoreFixtures.configMaps, namespace: "default", name: "c", preconditionResourceVersion: nil,
            preconditionUID: nil)
        try await createConfigMaps(["e"])
        options.continueToken = first.continueToken
        let second = try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
        #expect(second.items.map(\.metadataName) == ["c", "d"])
        #expect(second.resourceVersion == first.resourceVersion)
    }

    @Test("a continue token from before a compaction is 410 Expired")
    func expiredContinue() async throws {
        try await createConfigMaps(["a", "b", "c"])
        var options = ListOptions()
        options.limit = 1
        let first = try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
        try await createConfigMaps(["d"])
        await store.compact()
        options.continueToken = first.continueToken
        let error = await #expect(throws: Status.self) {
            try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
        }
        #expect(error?.code == 410)
        #expect(error?.reason == .expired)
    }

    @Test("a malformed continue token is 400")
    func malformedContinue() async throws {
        var options = ListOptions()
        options.continueToken = "not a token"
        let error = await #expect(throws: Status.self) {
            try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
        }
        #expect(error?.code == 400)
    }

    @Test("resourceVersionMatch=Exact lists the state at that version")
    func exactVersion() async throws {
        try await createConfigMaps(["a"])
        let version = await store.resourceVersion
        try await createConfigMaps(["b"])
        var options = ListOptions()
        options.resourceVersion = String(version)
        options.resourceVersionMatch = .exact
        let page = try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
        #expect(page.items.map(\.metadataName) == ["a"])
        #expect(page.resourceVersion == String(version))
    }

    @Test("resourceVersionMatch=Exact older than the history is 410 Expired")
    func exactVersionCompacted() async throws {
        try await createConfigMaps(["a"])
        let version = await store.resourceVersion
        try await createConfigMaps(["b"])
        await store.compact()
        var options = ListOptions()
        options.resourceVersion = String(version)
        options.resourceVersionMatch = .exact
        let error = await #expect(throws: Status.self) {
            try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
        }
        #expect(error?.code == 410)
    }

    @Test("a list from an old resourceVersion without Exact serves the latest state, as kube-apiserver does")
    func notOlderThan() async throws {
        try await createConfigMaps(["a"])
        await store.compact()
        var options = ListOptions()
        options.resourceVersion = "1"
        let page = try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
        #expect(page.items.map(\.metadataName) == ["a"])
    }

    @Test("a resourceVersion that is not a number is 400")
    func badResourceVersion() async throws {
        var options = ListOptions()
        options.resourceVersion = "abc"
        let error = await #expect(throws: Status.self) {
            try await store.list(StoreFixtures.configMaps, namespace: "default", options: options)
        }
        #expect(error?.code == 400)
    }
}
