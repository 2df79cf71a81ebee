import NetworkAddresses
import Synchronization
import UPnP

/// An Internet gateway in memory, for the port forwarder's specs: a mapping table with miniupnpd's rules (a
/// mapping of an external port to another host is a 718 conflict; adding the same client again renews it and
/// keeps its description),
/// faults to inject, and a log of every request with the address it came from.
final class InMemoryGateway: InternetGatewayControl, Sendable {
    struct Request: Sendable, Hashable {
        var action: String
        var source: IPAddress?
    }

    struct State: Sendable {
        var mappings: [ForwardedPortKey: PortMapping] = [:]
        var requests: [Request] = []
        var discoverable = true
        var externalAddress = "100.128.0.1"
        /// Faults for AddPortMapping, by external port.
        var addFaults: [UInt16: UPnPError] = [:]
        /// Refuse leases other than 0 with 725.
        var onlyPermanent = false
        /// Every request fails below HTTP (the gateway went away).
        var unreachable = false
        /// DeletePortMapping never answers (until cancelled).
        var deletionHangs = false
        /// DeletePortMapping takes this long (real time).
        var deletionDelay: Duration?
        /// GetSpecificPortMappingEntry answers "no such entry" whatever the table holds (a gateway that hides others'
        /// mappings, so only AddPortMapping's 718 tells of a conflict).
        var hidesMappings = false
    }

    struct ForwardedPortKey: Sendable, Hashable {
        var port: UInt16
        var proto: PortMappingProtocol
    }

    let state = Mutex(State())
    static let location = "http://198.51.100.254:5000/rootDesc.xml"

    var mappings: [PortMapping] {
        state.withLock { Array($0.mappings.values) }.sorted { $0.externalPort < $1.externalPort }
    }

    func requests(_ action: String) -> [Request] {
        state.withLock { $0.requests.filter { $0.action == action } }
    }

    func change(_ body: (inout State) -> Void) {
        state.withLock { body(&$0) }
    }

    private func record(_ action: String, _ source: IPAddress?) throws {
        let unreachable = state.withLock {
            $0.requests.append(Request(action: action, source: source))
            return $0.unreachable
        }
        if unreachable { throw UPnPFailure.network(.connection("connection refused")) }
    }

    func discover(interface: String, source: IPAddress?) async throws -> InternetGateway {
        try record("discover", source)
        guard state.withLock({ $0.discoverable }) else { throw UPnPFailure.noGateway("no answer to M-SEARCH on \(interface)") }
        return InternetGateway(
            serviceType: "urn:schemas-upnp-org:service:WANIPConnection:2",
            control: HTTPEndpoint(host: IPAddress(ipv4: 0xC633_64FE), port: 5000), controlPath: "/ctl/IPConn",
            descriptionLocation: Self.location)
    }

    func externalAddress(of gateway: InternetGateway, source: IPAddress?) async throws -> IPAddress {
        try record("GetExternalIPAddress", source)
        guard let address = IPAddress(state.withLock { $0.externalAddress }) else { throw UPnPFailure.malformed("empty") }
        return address
    }

    func addPortMapping(_ mapping: PortMapping, on gateway: InternetGateway, source: IPAddress?) async throws {
        try record("AddPortMapping", source)
        try state.withLock { state in
            if let fault = state.addFaults[mapping.externalPort] { throw UPnPFailure.fault(fault) }
            if state.onlyPermanent, mapping.leaseDuration != 0 {
                throw UPnPFailure.fault(UPnPError(code: 725, text: "OnlyPermanentLeasesSupported"))
            }
            let key = ForwardedPortKey(port: mapping.externalPort, proto: mapping.protocol)
            if let existing = state.mappings[key], existing.internalClient != mapping.internalClient {
                throw UPnPFailure.fault(UPnPError(code: 718, text: "ConflictInMappingEntry"))
            }
            if var existing = state.mappings[key] {
                // miniupnpd's rule: adding a mapping again renews it and keeps its description.
                existing.leaseDuration = mapping.leaseDuration
                existing.enabled = mapping.enabled
                state.mappings[key] = existing
            } else {
                state.mappings[key] = mapping
            }
        }
    }

    func portMapping(
        externalPort: UInt16, protocol: PortMappingProtocol, on gateway: InternetGateway, source: IPAddress?
    ) async throws -> PortMapping? {
        try record("GetSpecificPortMappingEntry", source)
        return state.withLock { state in
            state.hidesMappings ? nil : state.mappings[ForwardedPortKey(port: externalPort, proto: `protocol`)]
        }
    }

    func deletePortMapping(
        externalPort: UInt16, protocol: PortMappingProtocol, on gateway: InternetGateway, source: IPAddress?
    ) async throws {
        try record("DeletePortMapping", source)
        if state.withLock({ $0.deletionHangs }) {
            try await Task.sleep(for: .seconds(3600))
        }
        if let delay = state.withLock({ $0.deletionDelay }) {
            try await Task.sleep(for: delay)
        }
        _ = state.withLock { $0.mappings.removeValue(forKey: ForwardedPortKey(port: externalPort, proto: `protocol`)) }
    }

    /// Someone else's mapping, made behind the forwarder's back.
    func add(_ mapping: PortMapping) {
        state.withLock { $0.mappings[ForwardedPortKey(port: mapping.externalPort, proto: mapping.protocol)] = mapping }
    }
}
