import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Services: allocations under random changes", .timeLimit(.minutes(1)))
struct ResourceServiceAllocationTests {
    /// What the stored Services hold, computed from the objects themselves.
    private func holdings(_ store: ObjectStore) async throws -> (ips: [UInt32], nodePorts: [Int]) {
        let services = try await store.list(StoreFixtures.services, namespace: nil, options: ListOptions()).items
        var ips: [UInt32] = []
        var ports: [Int] = []
        for service in services {
            if let text = service[path: "spec", "clusterIP"]?.stringValue, let ip = IPv4.parse(text) { ips.append(ip) }
            ports += ServicePorts(service).nodePorts
        }
        return (ips, ports)
    }

    private func randomService(_ name: String, using random: inout SeededGenerator) -> JSONValue {
        let types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]
        let type = types[Int.random(in: 0..<types.count, using: &random)]
        var ports: [JSONValue] = []
        for index in 0..<Int.random(in: 1...3, using: &random) {
            var port: JSONValue = ["name": .string("p\(index)"), "port": .int(Int64(80 + index))]
            if type == "NodePort" || type == "LoadBalancer", Int.random(in: 0..<4, using: &random) == 0 {
                port["nodePort"] = .int(Int64.random(in: 30000...30010, using: &random))
            }
            ports.append(port)
        }
        var service = StoreFixtures.service(name, type: type, ports: ports)
        switch type {
        case "ExternalName": service[path: "spec", "externalName"] = "example.com"
        case "LoadBalancer":
            if Bool.random(using: &random) { service[path: "spec", "externalTrafficPolicy"] = "Local" }
            if Int.random(in: 0..<4, using: &random) == 0 {
                service[path: "spec", "allocateLoadBalancerNodePorts"] = false
            }
        default: break
        }
        return service
    }

    /// Creates the Service if it is missing; otherwise deletes it (action 0) or updates it to the request's
    /// type, keeping either the request's spec or the stored one (as `kubectl apply` resubmits it).
    private func apply(_ action: Int, request: JSONValue, to store: ObjectStore, flipSpec: Bool) async throws {
        let name = request.metadataName ?? ""
        let services = StoreFixtures.services
        let existing: JSONValue? = try? await store.get(services, namespace: "default", name: name)
        guard let current = existing else {
            _ = try await store.create(services, namespace: "default", object: request)
            return
        }
        if action == 0 {
            _ = try await store.delete(
                services, namespace: "default", name: name, preconditionResourceVersion: nil, preconditionUID: nil)
            return
        }
        var next = request
        if flipSpec {
            let type: JSONValue? = request[path: "spec", "type"]
            next["spec"] = current["spec"]
            next[path: "spec", "type"] = type
        }
        _ = try await store.update(services, namespace: "default", name: name, object: next, subresource: .main)
    }

    @Test(
        "the allocator's view always equals what the stored Services hold, and nothing is held twice",
        arguments: [7 as UInt64, 8, 9, 10])
    func allocationsMatchObjects(seed: UInt64) async throws {
        let store = try StoreFixtures.memoryStore()
        var random = SeededGenerator(seed: seed)
        var accepted = 0
        for _ in 0..<300 {
            let name = "svc-\(Int.random(in: 0..<8, using: &random))"
            let action = Int.random(in: 0..<3, using: &random)
            let request = randomService(name, using: &random)
            do {
                try await apply(action, request: request, to: store, flipSpec: Bool.random(using: &random))
                accepted += 1
            } catch let status as Status where status.code == 422 {
                // A random request may ask for a taken port or an invalid combination; it must change nothing.
            }
            let held = try await holdings(store)
            let allocated = await store.allocatedServiceResources
            #expect(Set(held.ips).count == held.ips.count, "seed \(seed)")
            #expect(Set(held.nodePorts).count == held.nodePorts.count, "seed \(seed)")
            #expect(Set(held.ips) == allocated.ips, "seed \(seed)")
            #expect(Set(held.nodePorts) == allocated.nodePorts, "seed \(seed)")
        }
        #expect(accepted > 150, "most random requests are valid, so the allocator is really exercised")
    }
}
