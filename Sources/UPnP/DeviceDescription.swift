/// The WAN connection services of a UPnP device description (`rootDesc.xml`).
///
/// Only what port mapping needs is kept: each WANIPConnection:2, WANIPConnection:1 or WANPPPConnection:1
/// service, at any depth of embedded devices, with its control URL made absolute.
public struct DeviceDescription: Sendable, Hashable {
    public struct Service: Sendable, Hashable {
        /// As the description spells it (trimmed).
        public var serviceType: String
        public var control: HTTPLocation

        public init(serviceType: String, control: HTTPLocation) {
            self.serviceType = serviceType
            self.control = control
        }
    }

    /// Usable WAN connection services, in document order.
    public var services: [Service]
    /// WAN connection services that were listed but could not be used, with why (for the reason given
    /// when no gateway is found).
    public var unusable: [String]

    public init(services: [Service], unusable: [String] = []) {
        self.services = services
        self.unusable = unusable
    }

    /// Reads a description fetched from `location` (the SSDP `LOCATION`, the base for relative control
    /// URLs unless the description has a `URLBase`).
    public init(
        parsing bytes: [UInt8], location: HTTPLocation, limits: XMLLimits = .default
    ) throws(DeviceDescriptionError) {
        let root: XMLElement
        do {
            root = try XMLReader.parse(bytes, limits: limits)
        } catch {
            throw .xml(error)
        }
        guard root.localName == "root" else { throw .notADeviceDescription(root.qualifiedName) }

        let base: Result<HTTPLocation, HTTPLocationError>
        if let urlBase = root.childText("URLBase"), !urlBase.isEmpty {
            do throws(HTTPLocationError) {
                base = .success(try HTTPLocation(parsing: urlBase))
            } catch {
                base = .failure(error)
            }
        } else {
            base = .success(location)
        }

        var services: [Service] = []
        var unusable: [String] = []
        for service in root.descendants("service") {
            guard let type = service.childText("serviceType"), WANConnectionService.preference(of: type) != nil else {
                continue
            }
            guard let controlURL = service.childText("controlURL"), !controlURL.isEmpty else {
                unusable.append("\(type): no controlURL")
                continue
            }
            do throws(HTTPLocationError) {
                let control: HTTPLocation
                switch base {
                case .success(let base): control = try base.resolving(controlURL)
                case .failure(let error):
                    // An unusable URLBase only matters for relative control URLs.
                    guard HTTPLocation.scheme(of: Substring(controlURL)) != nil || controlURL.hasPrefix("//") else {
                        throw error
                    }
                    control = try location.resolving(controlURL)
                }
                services.append(Service(serviceType: type, control: control))
            } catch {
                unusable.append("\(type): controlURL \"\(controlURL.prefix(100))\": \(error)")
            }
        }
        self.init(services: services, unusable: unusable)
    }

    /// The service to use: WANIPConnection:2 over :1 over WANPPPConnection:1, the first listed among equals.
    public var preferred: Service? {
        services.enumerated().min { lhs, rhs in
            let left = WANConnectionService.preference(of: lhs.element.serviceType) ?? .max
            let right = WANConnectionService.preference(of: rhs.element.serviceType) ?? .max
            return left != right ? left < right : lhs.offset < rhs.offset
        }?.element
    }
}

/// Why a device description gave no usable service.
public enum DeviceDescriptionError: Error, Sendable, Hashable, CustomStringConvertible {
    case xml(XMLError)
    /// The document's root element is not `<root>` (an HTML page, a SOAP answer...).
    case notADeviceDescription(String)

    public var description: String {
        switch self {
        case .xml(let error): "device description: \(error)"
        case .notADeviceDescription(let root): "not a device description (root element <\(root)>)"
        }
    }
}
