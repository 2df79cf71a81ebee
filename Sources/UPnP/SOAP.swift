/// One named argument of a SOAP action or its answer. Order matters: UPnP 1.0 gateways expect arguments
/// in the order the service description lists them.
public struct SOAPArgument: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A UPnP control request (UPnP Device Architecture 1.1, 3.2.1).
public struct SOAPRequest: Sendable, Hashable {
    public var serviceType: String
    public var action: String
    public var arguments: [SOAPArgument]

    public init(serviceType: String, action: String, arguments: [SOAPArgument] = []) {
        self.serviceType = serviceType
        self.action = action
        self.arguments = arguments
    }

    /// The `SOAPAction` header value, quotes included.
    public var soapAction: String { "\"\(serviceType)#\(action)\"" }

    public static let contentType = "text/xml; charset=\"utf-8\""

    /// The envelope, in the layout gateways have been tested against for years (miniupnpc's): an XML
    /// declaration without encoding, the `s`/`u` prefixes, and no whitespace between elements.
    public var body: [UInt8] {
        var xml = "<?xml version=\"1.0\"?>\r\n"
        xml += "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
        xml += " s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
        xml += "<s:Body><u:\(action) xmlns:u=\"\(XMLEscaping.escape(serviceType))\">"
        for argument in arguments {
            xml += "<\(argument.name)>\(XMLEscaping.escape(argument.value))</\(argument.name)>"
        }
        xml += "</u:\(action)></s:Body></s:Envelope>\r\n"
        return Array(xml.utf8)
    }

    /// The HTTP request to `target` (the control URL's path).
    public func httpRequest(target: String) -> HTTPRequest {
        HTTPRequest(
            method: "POST", target: target,
            headers: [HTTPHeader("Content-Type", Self.contentType), HTTPHeader("SOAPAction", soapAction)],
            body: body)
    }
}

enum XMLEscaping {
    /// Escapes the five markup characters, and drops characters XML 1.0 cannot carry at all (C0 controls
    /// but tab and line ends), since a gateway would refuse the whole request over them.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20, scalar.value != 0xFFFE, scalar.value != 0xFFFF {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}

/// A gateway's answer to a control request: the action's out arguments, or the UPnP error of a fault.
public enum SOAPResponse: Sendable, Hashable {
    case success([SOAPArgument])
    case fault(UPnPError)

    /// Decodes the body of an answer to `action`, whatever its HTTP status (faults come with 500, and
    /// some gateways send them with 200). Anything but `<ActionResponse>` or a fault with a `<UPnPError>`
    /// is an error.
    public init(decoding body: [UInt8], action: String, limits: XMLLimits = .default) throws(SOAPDecodingError) {
        let envelope: XMLElement
        do {
            envelope = try XMLReader.parse(body, limits: limits)
        } catch {
            throw .xml(error)
        }
        guard envelope.localName == "Envelope" else { throw .unexpectedElement("<\(envelope.qualifiedName)> as root") }
        guard let soapBody = envelope.child("Body") else { throw .unexpectedElement("no <Body> in the envelope") }
        guard let content = soapBody.children.first else { throw .unexpectedElement("empty <Body>") }

        if content.localName == "Fault" {
            guard let upnpError = content.descendants("UPnPError").first else { throw .faultWithoutUPnPError }
            guard let codeText = upnpError.childText("errorCode"),
                let code = String.parseDecimal(codeText, as: UInt16.self)
            else {
                throw .unexpectedElement("fault without a numeric <errorCode>")
            }
            self = .fault(UPnPError(code: Int(code), text: upnpError.childText("errorDescription") ?? ""))
            return
        }
        guard content.localName == action + "Response" else {
            throw .unexpectedElement("<\(content.localName)> instead of <\(action)Response>")
        }
        self = .success(content.children.map { SOAPArgument($0.localName, $0.text) })
    }
}

extension [SOAPArgument] {
    /// The value of the first argument with this name.
    public func value(of name: String) -> String? {
        first { $0.name == name }?.value
    }
}

/// Why an answer body is not a SOAP answer to the action.
public enum SOAPDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    case xml(XMLError)
    /// A SOAP fault with no `<UPnPError>` detail (a generic server error).
    case faultWithoutUPnPError
    case unexpectedElement(String)

    public var description: String {
        switch self {
        case .xml(let error): "\(error)"
        case .faultWithoutUPnPError: "SOAP fault without a UPnP error"
        case .unexpectedElement(let what): "unexpected SOAP answer: \(what)"
        }
    }
}
