import NetworkAddresses

@testable import IPAM

func key(_ namespace: String, _ name: String) -> ServiceKey { ServiceKey(namespace: namespace, name: name) }

func tcp(_ port: UInt16) -> ServicePort { ServicePort(.tcp, port) }
func udp(_ port: UInt16) -> ServicePort { ServicePort(.udp, port) }

func address(_ text: String) -> IPAddress {
    guard let address = IPAddress(text) else { fatalError("bad test address \(text)") }
    return address
}

extension Allocator {
    init(_ data: [String: String], recent: Int = 4096) {
        self.init(configuration: PoolConfiguration(data: data), recentReleaseCapacity: recent)
    }

    /// Allocates and returns the annotation value, or the failure's description prefixed with "failed: ".
    @discardableResult
    mutating func give(
        _ namespace: String, _ name: String, ports: [ServicePort] = [tcp(80)],
        policy: IPFamilyPolicy = .singleStack, families: [IPFamily] = [], requesting: [String] = []
    ) -> String {
        let request = AddressRequest(
            service: key(namespace, name), ports: ports, familyPolicy: policy, families: families,
            requestedAddresses: requesting.map(address))
        switch allocate(request) {
        case .success(let assignment): return assignment.annotationValue
        case .failure(let failure): return "failed: \(failure)"
        }
    }

    func failure(
        _ namespace: String, _ name: String, ports: [ServicePort] = [tcp(80)], requesting: [String] = []
    ) -> AllocationFailure? {
        var copy = self
        let request = AddressRequest(
            service: key(namespace, name), ports: ports, requestedAddresses: requesting.map(address))
        if case .failure(let failure) = copy.allocate(request) { return failure }
        return nil
    }
}
