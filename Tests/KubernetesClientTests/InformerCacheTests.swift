@testable import KubernetesClient
import KubernetesModels
import Testing

@Suite("Informer cache: each change reported once")
struct InformerCacheTests {
    static func object(_ name: String, _ resourceVersion: String, namespace: String = "default") -> JSONValue {
        ["metadata": ["name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(resourceVersion)]]
    }

    @Test("a new object is added, a changed one updated, a replay with the same resourceVersion ignored")
    func upsert() async {
        let cache = InformerCache<JSONValue>()
        #expect(await cache.upsert(Self.object("a", "1")) == .added(Self.object("a", "1")))
        #expect(await cache.upsert(Self.object("a", "1")) == nil)
        #expect(await cache.upsert(Self.object("a", "2")) == .updated(old: Self.object("a", "1"), new: Self.object("a", "2")))
        #expect(await cache.object(namespace: "default", name: "a") == Self.object("a", "2"))
    }

    @Test("deleting an object we never held reports nothing")
    func removeUnknown() async {
        let cache = InformerCache<JSONValue>()
        #expect(await cache.remove(Self.object("ghost", "3")) == nil)
        _ = await cache.upsert(Self.object("a", "1"))
        #expect(await cache.remove(Self.object("a", "4")) == .deleted(Self.object("a", "4")))
        #expect(await cache.count == 0)
    }

    @Test("a re-list reports additions, changes and deletions against the cache, and nothing for the unchanged")
    func relistDiff() async {
        let cache = InformerCache<JSONValue>()
        _ = await cache.replace(with: [Self.object("keep", "1"), Self.object("change", "2"), Self.object("gone", "3")])
        let events = await cache.replace(with: [Self.object("keep", "1"), Self.object("change", "7"), Self.object("new", "8")])
        #expect(
            events == [
                .updated(old: Self.object("change", "2"), new: Self.object("change", "7")),
                .added(Self.object("new", "8")),
                .deleted(Self.object("gone", "3")),
            ])
        #expect(await cache.keys.sorted().map(\.name) == ["change", "keep", "new"])
    }

    @Test("objects with the same name in different namespaces are different objects")
    func namespacesKeepApart() async {
        let cache = InformerCache<JSONValue>()
        _ = await cache.upsert(Self.object("a", "1", namespace: "x"))
        #expect(await cache.upsert(Self.object("a", "2", namespace: "y")) == .added(Self.object("a", "2", namespace: "y")))
        #expect(await cache.count == 2)
    }
}
