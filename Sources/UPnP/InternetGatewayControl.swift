import NetworkAddresses

/// What the node agent asks of an Internet gateway, as a seam: `InternetGatewayClient` speaks SSDP and SOAP
/// over a `UPnPNetwork`; the agent's tests use an in-memory gateway.
///
/// Every call throws `UPnPFailure`. `source` is the address requests come from (the VIP the mapping points to).
public protocol InternetGatewayControl: Sendable {
    /// Finds a gateway on `interface` offering WANIPConnection:2, WANIPConnection:1 or WANPPPConnection:1 (preferred
    /// in that order), with its control URL from the device description.
    func discover(interface: String, source: IPAddress?) async throws -> InternetGateway
    /// `GetExternalIPAddress`.
    func externalAddress(of gateway: InternetGateway, source: IPAddress?) async throws -> IPAddress
    /// `AddPortMapping` (an existing mapping of the same external port and protocol to the same client is updated).
    func addPortMapping(_ mapping: PortMapping, on gateway: InternetGateway, source: IPAddress?) async throws
    /// `GetSpecificPortMappingEntry`; nil when the gateway has no such mapping (714 NoSuchEntryInArray).
    func portMapping(
        externalPort: UInt16, protocol: PortMappingProtocol, on gateway: InternetGateway, source: IPAddress?
    ) async throws -> PortMapping?
    /// `DeletePortMapping`; deleting a mapping that does not exist (714) is not an error.
    func deletePortMapping(
        externalPort: UInt16, protocol: PortMappingProtocol, on gateway: InternetGateway, source: IPAddress?
    ) async throws
}

/// A gateway's WAN connection service, as found by discovery.
public struct InternetGateway: Sendable, Hashable, CustomStringConvertible {
    /// `urn:schemas-upnp-org:service:WANIPConnection:2` and so on; SOAP actions are named in it.
    public var serviceType: String
    /// Where SOAP requests go.
    public var control: HTTPEndpoint
    public var controlPath: String
    /// The device description it was read from (`LOCATION` of the SSDP answer).
    public var descriptionLocation: String

    public init(serviceType: String, control: HTTPEndpoint, controlPath: String, descriptionLocation: String) {
        self.serviceType = serviceType
        self.control = control
        self.controlPath = controlPath
        self.descriptionLocation = descriptionLocation
    }

    public var description: String { "\(descriptionLocation) (\(serviceType))" }
}

public enum PortMappingProtocol: String, Sendable, Hashable, CaseIterable {
    case tcp = "TCP"
    case udp = "UDP"
}

public struct PortMapping: Sendable, Hashable {
    public var externalPort: UInt16
    public var `protocol`: PortMappingProtocol
    public var internalClient: IPAddress
    public var internalPort: UInt16
    public var description: String
    /// Seconds; 0 asks for a permanent mapping.
    public var leaseDuration: UInt32
    public var enabled: Bool

    public init(
        externalPort: UInt16, protocol: PortMappingProtocol, internalClient: IPAddress, internalPort: UInt16,
        description: String, leaseDuration: UInt32, enabled: Bool = true
    ) {
        self.externalPort = externalPort
        self.protocol = `protocol`
        self.internalClient = internalClient
        self.internalPort = internalPort
        self.description = description
        self.leaseDuration = leaseDuration
        self.enabled = enabled
    }
}

/// An error a gateway returned in a SOAP fault (`<UPnPError>`).
public struct UPnPError: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    /// The gateway's own text, if any.
    public var text: String

    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }

    public static let invalidArguments = 402
    public static let actionFailed = 501
    public static let notAuthorized = 606
    public static let specifiedArrayIndexInvalid = 713
    public static let noSuchEntryInArray = 714
    public static let conflictInMappingEntry = 718
    public static let samePortValuesRequired = 724
    public static let onlyPermanentLeasesSupported = 725

    public var description: String { text.isEmpty ? "UPnP error \(code)" : "UPnP error \(code) \(text)" }
}

/// Why a gateway call failed.
public enum UPnPFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Discovery found no usable gateway on the interface.
    case noGateway(String)
    /// The gateway answered with a UPnP error.
    case fault(UPnPError)
    /// The gateway answered with an HTTP error and no UPnP error in it.
    case httpStatus(Int)
    /// The exchange failed below HTTP (timeout, refused, reset).
    case network(UPnPNetworkError)
    /// The answer could not be understood (bad XML, missing elements, oversized).
    case malformed(String)

    /// Whether the cached gateway should be discovered again: anything but an answer the gateway meant.
    public var suggestsRediscovery: Bool {
        switch self {
        case .fault: false
        case .noGateway, .httpStatus, .network, .malformed: true
        }
    }

    public var description: String {
        switch self {
        case .noGateway(let reason): "no UPnP gateway: \(reason)"
        case .fault(let error): error.description
        case .httpStatus(let status): "the gateway answered HTTP \(status)"
        case .network(let error): error.description
        case .malformed(let reason): "the gateway's answer was malformed: \(reason)"
        }
    }
}
