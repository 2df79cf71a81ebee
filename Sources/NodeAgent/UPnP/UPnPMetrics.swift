import Metrics
import UPnP

/// UPnP mode's counters, shared by every port forwarder of a process. Labels are small fixed sets (actions,
/// results), never addresses, ports or Service names.
struct UPnPMetrics: Sendable {
    private let factory: any MetricsFactory

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// `action`: discover, GetExternalIPAddress, AddPortMapping, GetSpecificPortMappingEntry, DeletePortMapping.
    /// `result`: ok, the UPnP error code, or the kind of failure (http, network, malformed, no-gateway).
    func request(_ action: String, result: String) {
        Counter(label: "kube_vip_upnp_requests_total", dimensions: [("action", action), ("result", result)], factory: factory)
            .increment()
    }

    /// The `result` label of a failed request: the gateway's UPnP error code, else the kind of failure.
    static func result(of error: any Error) -> String {
        switch error as? UPnPFailure {
        case .fault(let fault)?: "\(fault.code)"
        case .httpStatus?: "http"
        case .malformed?: "malformed"
        case .noGateway?: "no-gateway"
        case .network?, nil: "network"
        }
    }

}
