import Foundation
import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Object store: persistence in a data directory", .timeLimit(.minutes(1)))
struct StorePersistenceTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    private var journalPath: String { "\(directory.path)/journal.jsonl" }
    private var snapshotPath: String { "\(directory.path)/snapshot.jsonl" }

    private func open() throws -> ObjectStore {
        try ObjectStore(
            configuration: StoreConfiguration(dataDirectory: directory.path), logger: StoreFixtures.logger())
    }

    /// A store with a few objects of several kinds, closed; returns what it held.
    private func populate() async throws -> (objects: [JSONValue], resourceVersion: UInt64) {
        let store = try open()
        let configMap = try await store.create(
            StoreFixtures.configMaps, namespace: "kube-system",
            object: StoreFixtures.configMap("kubevip", data: ["cidr-global": "192.168.0.220/29"]))
        var service = try await store.create(
            StoreFixtures.services, namespace: "default",
            object: StoreFixtures.service("web", type: "LoadBalancer", ports: [["port": 80, "nodePort": 30080]]))
        service["status"] = ["loadBalancer": ["ingress": [["ip": "192.168.0.220"]]]]
        service = try await store.update(
            StoreFixtures.services, namespace: "default", name: "web", object: service, subresource: .status)
        let lease = try await store.create(
            StoreFixtures.leases, namespace: "kube-system",
            object: ["metadata": ["name": "plndr-svcs-lock"], "spec": ["holderIdentity": "node1"]])
        _ = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("gone"))
        _ = try await store.delete(
            StoreFixtures.configMaps, namespace: "default", name: "gone", preconditionResourceVersion: nil,
            preconditionUID: nil)
        let version = await store.resourceVersion
        try await store.close()
        return ([configMap, service, lease], version)
    }

    private func objects(in store: ObjectStore) async throws -> [JSONValue] {
        [
            try await store.get(StoreFixtures.configMaps, namespace: "kube-system", name: "kubevip"),
            try await store.get(StoreFixtures.services, namespace: "default", name: "web"),
            try await store.get(StoreFixtures.leases, namespace: "kube-system", name: "plndr-svcs-lock"),
        ]
    }

    @Test("objects and the resourceVersion survive a restart")
    func roundTrip() async throws {
        let (before, version) = try await populate()
        let store = try open()
        #expect(try await objects(in: store) == before)
        #expect(await store.resourceVersion == version)
        await #expect(throws: Status.self) {
            try await store.get(StoreFixtures.configMaps, namespace: "default", name: "gone")
        }
        let next = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("new"))
        #expect(next.resourceVersionNumber == version + 1)
        try await store.close()
    }

    @Test("objects survive a second restart, from the snapshot alone")
    func secondRestart() async throws {
        let (before, version) = try await populate()
        try await open().close()
        let store = try open()
        #expect(try await objects(in: store) == before)
        #expect(await store.resourceVersion == version)
        try await store.close()
    }

    @Test("allocated node ports and cluster IPs are still taken after a restart")
    func allocationsSurvive() async throws {
        _ = try await populate()
        let store = try open()
        let error = await #expect(throws: Status.self) {
            try await store.create(
                StoreFixtures.services, namespace: "default",
                object: StoreFixtures.service("other", type: "NodePort", ports: [["port": 80, "nodePort": 30080]]))
        }
        #expect(error?.code == 422)
        try await store.close()
    }

    @Test("a watch from before a restart resumes from the replayed journal")
    func watchResumesAcrossRestart() async throws {
        let first = try open()
        let start = await first.resourceVersion
        _ = try await first.create(StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("a"))
        try await first.close()
        let store = try open()
        var options = ListOptions()
        options.resourceVersion = String(start)
        var reader = WatchReader(
            try await store.watch(StoreFixtures.configMaps, namespace: "default", options: options))
        await store.closeAllWatches()
        #expect(await reader.rest().map(\.summary) == ["ADDED a \(start + 1)"])
        try await store.close()
    }

    @Test("a torn last journal line is ignored and the complete changes load")
    func tornLastLine() async throws {
        let (before, version) = try await populate()
        let handle = try #require(FileHandle(forWritingAtPath: journalPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"op":"put","rv":"999","group":"","resou"#.utf8))
        try handle.close()
        let store = try open()
        #expect(try await objects(in: store) == before)
        #expect(await store.resourceVersion == version)
        try await store.close()
    }

    @Test("a corrupt journal line stops the start with the file and line named")
    func corruptJournalLine() async throws {
        _ = try await populate()
        var lines = try String(contentsOfFile: journalPath, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        lines[2] = "{not json"
        try lines.joined(separator: "\n").write(toFile: journalPath, atomically: true, encoding: .utf8)
        let error = #expect(throws: StoreLoadError.self) { try open() }
        #expect(error?.file == journalPath)
        #expect(error?.line == 3)
        #expect(error?.description.contains("--ephemeral") == true)
    }

    @Test("a corrupt snapshot line stops the start with the file and line named")
    func corruptSnapshotLine() async throws {
        _ = try await populate()
        try await open().close()  // the loaded state is now in the snapshot
        var lines = try String(contentsOfFile: snapshotPath, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        lines[1] = #"{"group":"","resource":"services","object":"#
        try lines.joined(separator: "\n").write(toFile: snapshotPath, atomically: true, encoding: .utf8)
        let error = #expect(throws: StoreLoadError.self) { try open() }
        #expect(error?.file == snapshotPath)
        #expect(error?.line == 2)
    }

    @Test("an object of a kind this server does not know stops the start")
    func unknownResource() async throws {
        _ = try await populate()
        let line =
            #"{"op":"put","rv":"1000","group":"","resource":"secrets","#
            + #""object":{"metadata":{"name":"s","namespace":"default"}}}"#
        let handle = try #require(FileHandle(forWritingAtPath: journalPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
        try handle.close()
        let error = #expect(throws: StoreLoadError.self) { try open() }
        #expect(error?.reason.contains("secrets") == true)
    }

    @Test("a journal whose snapshot is missing stops the start instead of losing objects")
    func missingSnapshot() async throws {
        _ = try await populate()
        try await open().close()
        let store = try open()
        _ = try await store.create(
            StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("late"))
        try await store.close()
        try FileManager.default.removeItem(atPath: snapshotPath)
        let error = #expect(throws: StoreLoadError.self) { try open() }
        #expect(error?.file == journalPath)
        #expect(error?.line == 1)
    }

    @Test("a second store cannot open a data directory in use")
    func exclusiveDirectory() async throws {
        let store = try open()
        #expect(throws: StoreLoadError.self) { try open() }
        try await store.close()
        try await open().close()
    }

    @Test("writes after close fail with 503 instead of being lost")
    func writeAfterClose() async throws {
        let store = try open()
        try await store.close()
        let error = await #expect(throws: Status.self) {
            try await store.create(
                StoreFixtures.configMaps, namespace: "default", object: StoreFixtures.configMap("late"))
        }
        #expect(error?.code == 503)
    }
}
