/// A refusal as the controller logs it: `… warning kube-vip.cloud-provider: service=ns-00/svc-07550
/// [CloudProvider] PoolExhausted: no IPv4 addresses left …`.
///
/// The log, not the Warning Event, is how the benchmark learns of refusals: the controller drops Events when
/// its Event buffer is full (an Event is a hint for humans), and creating thousands of Services at once fills
/// it with AddressAssigned notes, so most refusal Events of a 10,000-Service burst never reach the server.
/// Every refusal is logged.
struct RefusalLogLine: Sendable, Hashable {
    /// The Event reasons with which the controller leaves a Service without an address.
    static let reasons: Set<String> = [
        "PoolExhausted", "NoAddressPool", "NoPoolForFamily", "InvalidPool", "AddressInUse", "InvalidAddress",
    ]

    /// `namespace/name`.
    let service: String
    let reason: String

    init?(_ line: String) {
        guard line.contains(" warning "), let serviceField = line.range(of: "service="),
            let sourceEnd = line.range(of: "] ", range: serviceField.upperBound..<line.endIndex)
        else { return nil }
        let service = line[serviceField.upperBound...].prefix { $0 != " " }
        let reason = line[sourceEnd.upperBound...].prefix { $0 != ":" }
        guard !service.isEmpty, Self.reasons.contains(String(reason)) else { return nil }
        self.service = String(service)
        self.reason = String(reason)
    }
}
