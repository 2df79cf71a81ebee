import Foundation
import KubernetesModels
import Testing

@Suite("Lease, EndpointSlice, Event, ConfigMap, Namespace and list models")
struct ResourceKindsTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    func roundTrips<T: Codable & Equatable>(_ value: T) throws -> Bool {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value)) == value
    }

    @Test("a Lease keeps microsecond renew times and its holder")
    func lease() throws {
        let lease = try decode(
            Lease.self,
            """
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
             "metadata":{"name":"plndr-svcs-lock","namespace":"kube-system","resourceVersion":"901"},
             "spec":{"holderIdentity":"node-1","leaseDurationSeconds":15,"acquireTime":"2024-05-01T12:00:00.000001Z",
                     "renewTime":"2024-05-01T12:00:10.250000Z","leaseTransitions":3,"strategy":"OldestEmulationVersion"}}
            """)
        #expect(lease.spec?.holderIdentity == "node-1")
        #expect(lease.spec?.renewTime?.description == "2024-05-01T12:00:10.250000Z")
        #expect(lease.spec?.leaseTransitions == 3)
        #expect(try roundTrips(lease))
        let encoded = try JSONValue(encoding: lease)
        #expect(encoded[path: "spec", "acquireTime"] == "2024-05-01T12:00:00.000001Z")
    }

    @Test("an EndpointSlice reads addresses, conditions and node names")
    func endpointSlice() throws {
        let slice = try decode(
            EndpointSlice.self,
            """
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
             "metadata":{"name":"web-abc12","namespace":"default","labels":{"kubernetes.io/service-name":"web"}},
             "addressType":"IPv4",
             "endpoints":[{"addresses":["10.244.1.5"],"conditions":{"ready":true,"serving":true,"terminating":false},
                           "nodeName":"node-1","targetRef":{"kind":"Pod","name":"web-1"}},
                          {"addresses":["10.244.2.7"],"conditions":{"ready":false}}],
             "ports":[{"name":"http","protocol":"TCP","port":8080}]}
            """)
        #expect(slice.endpoints?.first?.nodeName == "node-1")
        #expect(slice.endpoints?.first?.conditions == EndpointConditions(ready: true, serving: true, terminating: false))
        #expect(slice.endpoints?.last?.conditions?.serving == nil)
        #expect(slice.ports?.first?.port == 8080)
        #expect(try roundTrips(slice))
    }

    @Test("an empty EndpointSlice has null endpoints")
    func emptySlice() throws {
        let slice = try decode(
            EndpointSlice.self, #"{"metadata":{"name":"s"},"addressType":"IPv4","endpoints":null,"ports":null}"#)
        #expect(slice.endpoints == nil)
    }

    @Test("a core Event reads its object reference, count, timestamps and source")
    func event() throws {
        let event = try decode(
            Event.self,
            """
            {"apiVersion":"v1","kind":"Event",
             "metadata":{"name":"web.17c9a1b2c3d4e5f6","namespace":"default"},
             "involvedObject":{"kind":"Service","namespace":"default","name":"web","uid":"u-1","apiVersion":"v1","resourceVersion":"48213"},
             "reason":"LoadBalancerAssigned","message":"assigned 192.0.2.10","type":"Normal","count":4,
             "firstTimestamp":"2024-05-01T12:00:00Z","lastTimestamp":"2024-05-01T12:05:00Z",
             "source":{"component":"kube-vip-cloud-provider"},"reportingComponent":"kube-vip-cloud-provider",
             "reportingInstance":"","eventTime":null}
            """)
        #expect(event.involvedObject.name == "web")
        #expect(event.count == 4)
        #expect(event.lastTimestamp?.description == "2024-05-01T12:05:00Z")
        #expect(event.source?.component == "kube-vip-cloud-provider")
        #expect(try roundTrips(event))
    }

    @Test("a ConfigMap and a Namespace round-trip")
    func configMapAndNamespace() throws {
        let configMap = try decode(
            ConfigMap.self,
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kubevip","namespace":"kube-system"},"data":{"cidr-global":"192.0.2.0/29"}}"#)
        #expect(configMap.data?["cidr-global"] == "192.0.2.0/29")
        #expect(try roundTrips(configMap))
        let namespace = try decode(
            Namespace.self,
            #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}"#)
        #expect(namespace.status?.phase == "Active")
        #expect(try roundTrips(namespace))
    }

    @Test("a list reads its resourceVersion and continue token; null items are no items")
    func list() throws {
        let list = try decode(
            ObjectList<ConfigMap>.self,
            #"{"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"77","continue":"abc"},"items":[{"metadata":{"name":"a"}}]}"#)
        #expect(list.metadata.resourceVersion == "77")
        #expect(list.metadata.continue == "abc")
        #expect(list.items.map(\.metadata.name) == ["a"])
        let empty = try decode(ObjectList<ConfigMap>.self, #"{"kind":"ConfigMapList","metadata":{},"items":null}"#)
        #expect(empty.items.isEmpty)
    }

    @Test("ObjectKey comes from metadata, and a missing namespace means cluster scope")
    func objectKey() {
        let value: JSONValue = ["metadata": ["name": "a", "namespace": "x"]]
        #expect(ObjectKey(value) == ObjectKey(namespace: "x", name: "a"))
        #expect(ObjectKey(Namespace(metadata: ObjectMeta(name: "team-a")))?.description == "team-a")
        #expect(ObjectKey(JSONValue.object([:])) == nil)
    }
}
