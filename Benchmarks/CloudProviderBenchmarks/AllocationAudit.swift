import KubernetesClient
import KubernetesModels

/// What the Services hold once the controller is done, read afresh from the server rather than from the
/// benchmark's watch, so that a watch that missed or invented something cannot pass for a correct result.
struct AllocationAudit: Sendable {
    var services = 0
    var allocated = 0
    var withIngress = 0
    var distinctAddresses = 0
    /// Addresses recorded on more than one Service.
    var duplicateAddresses = 0

    static func read(from client: KubernetesClient) async throws -> AllocationAudit {
        let (items, _) = try await client.listAll(
            .services, namespace: nil, query: ListQuery(labelSelector: "app=bench"), pageSize: 1_000,
            as: KubernetesService.self)
        var audit = AllocationAudit()
        var holders: [String: Int] = [:]
        for service in items {
            audit.services += 1
            if service.status?.loadBalancer?.ingress?.isEmpty == false { audit.withIngress += 1 }
            guard let record = service.metadata.annotations?[OverlapLayout.addressAnnotation], !record.isEmpty
            else { continue }
            audit.allocated += 1
            for address in record.split(separator: ",") {
                holders[String(address), default: 0] += 1
            }
        }
        audit.distinctAddresses = holders.count
        audit.duplicateAddresses = holders.values.filter { $0 > 1 }.count
        return audit
    }
}
