import NetworkAddresses

/// Assignments by Service, stored without repeating the Service key in every value: at 100,000 Services the
/// table's size decides how often a lookup misses the cache, and the key was half of each entry.
struct AssignmentTable: Sendable {
    private struct Stored: Sendable {
        let addresses: [IPAddress]
        let origin: Assignment.Origin
        let ports: [ServicePort]
    }

    private var storage: [ServiceKey: Stored] = [:]

    var count: Int { storage.count }

    mutating func reserveCapacity(_ capacity: Int) {
        storage.reserveCapacity(capacity)
    }

    subscript(service: ServiceKey) -> Assignment? {
        get {
            storage[service].map {
                Assignment(service: service, addresses: $0.addresses, origin: $0.origin, ports: $0.ports)
            }
        }
        set {
            storage[service] = newValue.map { Stored(addresses: $0.addresses, origin: $0.origin, ports: $0.ports) }
        }
    }

    mutating func removeValue(forKey service: ServiceKey) -> Assignment? {
        storage.removeValue(forKey: service).map {
            Assignment(service: service, addresses: $0.addresses, origin: $0.origin, ports: $0.ports)
        }
    }

    var values: [Assignment] {
        storage.map { Assignment(service: $0.key, addresses: $0.value.addresses, origin: $0.value.origin, ports: $0.value.ports) }
    }
}
