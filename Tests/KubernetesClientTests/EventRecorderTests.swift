import Foundation
import KubernetesAPIServer
import KubernetesClient
import KubernetesModels
import Testing

@Suite("Event recorder against the embedded API server", .timeLimit(.minutes(1)))
struct EventRecorderTests {
    static let web = ObjectReference(apiVersion: "v1", kind: "Service", namespace: "default", name: "web", uid: "u-1")

    func events(_ client: KubernetesClient) async throws -> [Event] {
        try await client.listAll(.events, namespace: "default", as: Event.self).items
    }

    @Test("repeats of the same event become one Event with a count")
    func aggregatesRepeats() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                let recorder = EventRecorder(
                    client: client, configuration: .init(component: "kube-vip-cloud-provider", host: "node-1"),
                    clock: ClientClock(TestClock()))
                for _ in 0..<3 {
                    #expect(await recorder.record(Self.web, type: .normal, reason: "Assigned", message: "192.0.2.10"))
                }
                #expect(await recorder.record(Self.web, type: .warning, reason: "NoAddress", message: "pool empty"))
                let recorded = try await events(client).sorted { ($0.reason ?? "") < ($1.reason ?? "") }
                #expect(recorded.map(\.reason) == ["Assigned", "NoAddress"])
                #expect(recorded.map(\.count) == [3, 1])
                #expect(recorded.first?.involvedObject.name == "web")
                #expect(recorded.first?.source?.component == "kube-vip-cloud-provider")
                #expect(recorded.first?.type == "Normal")
            }
        }
    }

    @Test("past the burst, events about one object are dropped until the bucket refills; other objects are unaffected")
    func spamFilter() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                let clock = TestClock()
                let recorder = EventRecorder(
                    client: client,
                    configuration: .init(component: "test", burst: 2, refillInterval: .seconds(300)),
                    clock: ClientClock(clock))
                #expect(await recorder.record(Self.web, type: .normal, reason: "A", message: "1"))
                #expect(await recorder.record(Self.web, type: .normal, reason: "B", message: "2"))
                #expect(await recorder.record(Self.web, type: .normal, reason: "C", message: "3") == false)
                var other = Self.web
                other.name = "db"
                #expect(await recorder.record(other, type: .normal, reason: "A", message: "1"))
                clock.advance(by: .seconds(300))
                #expect(await recorder.record(Self.web, type: .normal, reason: "C", message: "3"))
                let recorded = try await events(client)
                #expect(recorded.count == 4)
            }
        }
    }
}

@Suite("Typed informer", .timeLimit(.minutes(1)))
struct TypedInformerTests {
    @Test("a typed informer decodes Services straight from the watch stream")
    func typedServices() async throws {
        try await withAPIServer { _, port in
            try await withClient(port: port) { client in
                let informer = client.informer(.services, namespace: nil, options: quickInformerOptions, as: KubernetesService.self)
                var events = informer.makeAsyncIterator()
                var initial: [InformerEvent<KubernetesService>] = []
                while let event = try await events.next() {
                    initial.append(event)
                    if case .synced = event { break }
                }
                let service = KubernetesService(
                    metadata: ObjectMeta(name: "web", namespace: "default"),
                    spec: ServiceSpec(type: "LoadBalancer", ports: [ServicePort(port: 80, targetPort: "http")]))
                _ = try await client.create(.services, namespace: "default", service)
                var added: KubernetesService?
                while let event = try await events.next() {
                    if case .added(let object) = event, object.metadata.name == "web" {
                        added = object
                        break
                    }
                }
                #expect(added?.spec?.ports?.first?.targetPort == "http")
                #expect(await informer.cache.object(namespace: "default", name: "web")?.spec?.type == "LoadBalancer")
            }
        }
    }
}
