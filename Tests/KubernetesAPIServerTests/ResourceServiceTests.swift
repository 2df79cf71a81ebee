import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Services: defaults, validation, cluster IPs and node ports", .timeLimit(.minutes(1)))
struct ResourceServiceTests {
    let store: ObjectStore
    init() throws { store = try StoreFixtures.memoryStore() }

    private func create(_ service: JSONValue) async throws -> JSONValue {
        try await store.create(StoreFixtures.services, namespace: "default", object: service)
    }

    private func update(_ service: JSONValue) async throws -> JSONValue {
        try await store.update(
            StoreFixtures.services, namespace: "default", name: service.metadataName ?? "", object: service,
            subresource: .main)
    }

    private func delete(_ name: String) async throws {
        _ = try await store.delete(
            StoreFixtures.services, namespace: "default", name: name, preconditionResourceVersion: nil,
            preconditionUID: nil)
    }

    private func invalid(_ service: JSONValue) async -> Status? {
        await #expect(throws: Status.self) { try await create(service) }
    }

    private func nodePorts(_ service: JSONValue) -> [Int64] {
        (service[path: "spec", "ports"]?.arrayValue ?? []).compactMap { $0["nodePort"]?.intValue }
    }

    @Test("the kubernetes Service exists from the start with 10.96.0.1:443 to 6443")
    func kubernetesService() async throws {
        let service = try await store.get(StoreFixtures.services, namespace: "default", name: "kubernetes")
        #expect(service[path: "spec", "clusterIP"] == "10.96.0.1")
        #expect(
            service[path: "spec", "ports"] == [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]])
    }

    @Test("a minimal Service gets core/v1 defaults")
    func defaults() async throws {
        let service = try await create(["metadata": ["name": "web"], "spec": ["ports": [["port": 80]]]])
        let spec = try #require(service["spec"])
        #expect(spec["type"] == "ClusterIP")
        #expect(spec["sessionAffinity"] == "None")
        #expect(spec["ipFamilies"] == ["IPv4"])
        #expect(spec["ipFamilyPolicy"] == "SingleStack")
        #expect(spec["internalTrafficPolicy"] == "Cluster")
        #expect(spec["ports"] == [["port": 80, "protocol": "TCP", "targetPort": 80]])
        #expect(spec["externalTrafficPolicy"] == nil)
        #expect(service["status"] == ["loadBalancer": [:]])
    }

    @Test("a LoadBalancer defaults externalTrafficPolicy and allocateLoadBalancerNodePorts")
    func loadBalancerDefaults() async throws {
        let service = try await create(StoreFixtures.service("lb", type: "LoadBalancer"))
        #expect(service[path: "spec", "externalTrafficPolicy"] == "Cluster")
        #expect(service[path: "spec", "allocateLoadBalancerNodePorts"] == true)
    }

    @Test("cluster IPs come from 10.96.0.0/12, never 10.96.0.1, and differ")
    func clusterIPs() async throws {
        let first = try await create(StoreFixtures.service("a"))
        let second = try await create(StoreFixtures.service("b"))
        let ipA = try #require(first[path: "spec", "clusterIP"]?.stringValue)
        let ipB = try #require(second[path: "spec", "clusterIP"]?.stringValue)
        #expect(ipA != ipB)
        for ip in [ipA, ipB] {
            let value = try #require(IPv4.parse(ip))
            #expect(ServiceAllocator.ipRange.contains(value) && ip != "10.96.0.1")
        }
        #expect(first[path: "spec", "clusterIPs"] == [.string(ipA)])
    }

    @Test("an explicit free cluster IP is kept; a taken one is 422")
    func explicitClusterIP() async throws {
        var service = StoreFixtures.service("a")
        service[path: "spec", "clusterIP"] = "10.100.0.10"
        #expect(try await create(service)[path: "spec", "clusterIP"] == "10.100.0.10")
        service[path: "metadata", "name"] = "b"
        let error = await invalid(service)
        #expect(error?.code == 422)
        #expect(error?.details?.causes?.first?.message?.contains("provided IP is already allocated") == true)
    }

    @Test("a cluster IP outside the service range is 422")
    func clusterIPOutOfRange() async throws {
        var service = StoreFixtures.service("a")
        service[path: "spec", "clusterIP"] = "192.168.1.1"
        let error = await invalid(service)
        #expect(error?.details?.causes?.first?.message?.contains("not in the valid range") == true)
    }

    @Test("a deleted Service's cluster IP can be requested again")
    func clusterIPReleasedOnDelete() async throws {
        let first = try await create(StoreFixtures.service("a"))
        try await delete("a")
        var again = StoreFixtures.service("b")
        again[path: "spec", "clusterIP"] = first[path: "spec", "clusterIP"]
        #expect(try await create(again)[path: "spec", "clusterIP"] == first[path: "spec", "clusterIP"])
    }

    @Test("a headless Service gets no cluster IP and needs no ports")
    func headless() async throws {
        let service = try await create(["metadata": ["name": "db"], "spec": ["clusterIP": "None"]])
        #expect(service[path: "spec", "clusterIPs"] == ["None"])
    }

    @Test("an update that leaves out clusterIP keeps it; changing it is 422")
    func clusterIPImmutable() async throws {
        let created = try await create(StoreFixtures.service("a"))
        let updated = try await update(StoreFixtures.service("a"))
        #expect(updated[path: "spec", "clusterIP"] == created[path: "spec", "clusterIP"])
        var changed = StoreFixtures.service("a")
        changed[path: "spec", "clusterIP"] = "10.100.0.99"
        await #expect(throws: Status.self) { try await update(changed) }
    }

    @Test("NodePort and LoadBalancer Services get a node port per port from 30000-32767")
    func nodePortAllocation() async throws {
        let ports: [JSONValue] = [["name": "http", "port": 80], ["name": "https", "port": 443]]
        let nodePort = try await create(StoreFixtures.service("np", type: "NodePort", ports: ports))
        let balancer = try await create(StoreFixtures.service("lb", type: "LoadBalancer", ports: ports))
        let all = nodePorts(nodePort) + nodePorts(balancer)
        #expect(all.count == 4 && Set(all).count == 4)
        #expect(all.allSatisfy { (30000...32767).contains($0) })
    }

    @Test("a ClusterIP Service gets no node ports")
    func clusterIPHasNoNodePorts() async throws {
        #expect(nodePorts(try await create(StoreFixtures.service("a"))).isEmpty)
    }

    @Test("an explicit node port is kept; the same port for another Service is 422")
    func explicitNodePort() async throws {
        let service = StoreFixtures.service("a", type: "NodePort", ports: [["port": 80, "nodePort": 30080]])
        #expect(nodePorts(try await create(service)) == [30080])
        var other = service
        other[path: "metadata", "name"] = "b"
        let error = await invalid(other)
        #expect(error?.code == 422)
        #expect(error?.details?.causes?.first?.field == "spec.ports[0].nodePort")
        #expect(error?.details?.causes?.first?.message?.contains("provided port is already allocated") == true)
    }

    @Test("a node port outside 30000-32767 is 422")
    func nodePortOutOfRange() async throws {
        let error = await invalid(
            StoreFixtures.service("a", type: "NodePort", ports: [["port": 80, "nodePort": 8080]]))
        #expect(error?.details?.causes?.first?.message?.contains("The range of valid ports is 30000-32767") == true)
    }

    @Test("allocateLoadBalancerNodePorts: false gives a LoadBalancer no node ports")
    func noLoadBalancerNodePorts() async throws {
        var service = StoreFixtures.service("lb", type: "LoadBalancer")
        service[path: "spec", "allocateLoadBalancerNodePorts"] = false
        #expect(nodePorts(try await create(service)).isEmpty)
    }

    @Test("deleting a Service releases its node ports")
    func nodePortReleasedOnDelete() async throws {
        let service = StoreFixtures.service("a", type: "NodePort", ports: [["port": 80, "nodePort": 30080]])
        _ = try await create(service)
        try await delete("a")
        var again = service
        again[path: "metadata", "name"] = "b"
        #expect(nodePorts(try await create(again)) == [30080])
    }

    @Test("changing the type to ClusterIP drops the node ports carried over and releases them")
    func nodePortReleasedOnTypeChange() async throws {
        var service = try await create(
            StoreFixtures.service("a", type: "NodePort", ports: [["port": 80, "nodePort": 30080]]))
        service[path: "spec", "type"] = "ClusterIP"
        let updated = try await update(service)
        #expect(nodePorts(updated).isEmpty)
        #expect(updated[path: "spec", "externalTrafficPolicy"] == nil)
        let other = StoreFixtures.service("b", type: "NodePort", ports: [["port": 80, "nodePort": 30080]])
        #expect(nodePorts(try await create(other)) == [30080])
    }

    @Test("changing a LoadBalancer to ClusterIP with the whole old spec carried over is accepted")
    func loadBalancerToClusterIP() async throws {
        var service = try await create(StoreFixtures.service("lb", type: "LoadBalancer"))
        service[path: "spec", "type"] = "ClusterIP"
        let updated = try await update(service)
        #expect(updated[path: "spec", "allocateLoadBalancerNodePorts"] == nil)
        #expect(updated[path: "spec", "clusterIP"] == service[path: "spec", "clusterIP"])
    }

    @Test("a PUT of the same spec without the allocated fields changes nothing")
    func resubmittedSpecIsNoOp() async throws {
        let created = try await create(StoreFixtures.service("lb", type: "LoadBalancer"))
        let resubmitted = try await update(StoreFixtures.service("lb", type: "LoadBalancer"))
        #expect(resubmitted == created)
    }

    @Test("an update that leaves out node ports keeps the allocated ones")
    func nodePortsKeptOnUpdate() async throws {
        let created = try await create(StoreFixtures.service("a", type: "LoadBalancer"))
        let updated = try await update(StoreFixtures.service("a", type: "LoadBalancer"))
        #expect(nodePorts(updated) == nodePorts(created))
    }

    @Test("externalTrafficPolicy Local on a LoadBalancer allocates a health check node port")
    func healthCheckNodePort() async throws {
        var service = StoreFixtures.service("lb", type: "LoadBalancer")
        service[path: "spec", "externalTrafficPolicy"] = "Local"
        let created = try await create(service)
        let port = try #require(created[path: "spec", "healthCheckNodePort"]?.intValue)
        #expect((30000...32767).contains(port) && !nodePorts(created).contains(port))
    }

    @Test("a dry-run create allocates nothing")
    func dryRunAllocatesNothing() async throws {
        let service = StoreFixtures.service("a", type: "NodePort", ports: [["port": 80, "nodePort": 30080]])
        _ = try await store.create(StoreFixtures.services, namespace: "default", object: service, dryRun: true)
        _ = try await create(service)
    }

    @Test("a Service without ports is 422 with a spec.ports cause")
    func missingPorts() async throws {
        let error = await invalid(["metadata": ["name": "web"], "spec": ["type": "ClusterIP"]])
        #expect(error?.code == 422)
        #expect(error?.details?.causes?.map(\.field) == ["spec.ports"])
        #expect(error?.message == "Service \"web\" is invalid: spec.ports: Required value")
    }

    @Test("an ExternalName Service needs no ports but an externalName")
    func externalName() async throws {
        let service = try await create(
            ["metadata": ["name": "ext"], "spec": ["type": "ExternalName", "externalName": "example.com"]])
        #expect(service[path: "spec", "clusterIP"] == nil)
        let error = await invalid(["metadata": ["name": "ext2"], "spec": ["type": "ExternalName"]])
        #expect(error?.details?.causes?.map(\.field) == ["spec.externalName"])
    }

    @Test("a port out of range is 422", arguments: [0 as Int64, 65536, -1])
    func portOutOfRange(port: Int64) async throws {
        let error = await invalid(StoreFixtures.service("web", ports: [["port": .int(port)]]))
        #expect(error?.details?.causes?.first?.field == "spec.ports[0].port")
        #expect(error?.details?.causes?.first?.message?.contains("must be between 1 and 65535, inclusive") == true)
    }

    @Test("an unknown type is 422 Unsupported value")
    func badType() async throws {
        let error = await invalid(StoreFixtures.service("web", type: "Balanced"))
        #expect(error?.details?.causes?.first?.field == "spec.type")
        #expect(error?.details?.causes?.first?.reason == "FieldValueNotSupported")
    }

    @Test("a Service name must be a DNS-1035 label", arguments: ["1web", "web.a", "Web", "-web"])
    func invalidName(name: String) async throws {
        let error = await invalid(StoreFixtures.service(name))
        #expect(error?.details?.causes?.first?.field == "metadata.name")
        #expect(error?.details?.causes?.first?.message?.contains("DNS-1035 label") == true)
    }

    @Test("several ports must each have a unique name")
    func portNames() async throws {
        let error = await invalid(StoreFixtures.service("web", ports: [["port": 80], ["port": 443]]))
        #expect(error?.details?.causes?.map(\.field) == ["spec.ports[0].name", "spec.ports[1].name"])
    }

    @Test("a node port on a ClusterIP Service is 422 Forbidden")
    func nodePortOnClusterIP() async throws {
        let error = await invalid(StoreFixtures.service("web", ports: [["port": 80, "nodePort": 30080]]))
        #expect(error?.details?.causes?.first?.reason == "FieldValueForbidden")
    }
}
