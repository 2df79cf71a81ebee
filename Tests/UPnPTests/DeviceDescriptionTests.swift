import NetworkAddresses
import Testing
import UPnP

@Suite("Device descriptions")
struct DeviceDescriptionTests {
    let location = HTTPLocation(
        endpoint: HTTPEndpoint(host: IPAddress(ipv4: 0xC633_64FE), port: 5000), target: "/rootDesc.xml")

    /// A description with one service per `(type, controlURL)`, each in its own embedded device.
    func description(_ services: [(String, String)], urlBase: String? = nil) -> [UInt8] {
        var xml = "<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\">"
        if let urlBase { xml += "<URLBase>\(urlBase)</URLBase>" }
        xml += "<device><deviceList>"
        for (type, control) in services {
            xml += "<device><serviceList><service><serviceType>\(type)</serviceType>"
            xml += "<controlURL>\(control)</controlURL></service></serviceList></device>"
        }
        xml += "</deviceList></device></root>"
        return Array(xml.utf8)
    }

    @Test func miniupnpdsDescriptionGivesWANIPConnection2() throws {
        let parsed = try DeviceDescription(parsing: Fixtures.rootDescription, location: location)
        #expect(parsed.services.map(\.serviceType) == [WANConnectionService.ipConnection2])
        let service = try #require(parsed.preferred)
        #expect(service.control.endpoint == location.endpoint)
        #expect(service.control.target == "/ctl/IPConn")
        #expect(parsed.unusable.isEmpty)
    }

    @Test func prefersIPConnection2OverIPConnection1OverPPP() throws {
        let parsed = try DeviceDescription(
            parsing: description([
                (WANConnectionService.pppConnection1, "/ppp"), (WANConnectionService.ipConnection1, "/ip1"),
                (WANConnectionService.ipConnection2, "/ip2"), (WANConnectionService.ipConnection1, "/ip1b"),
            ]), location: location)
        #expect(parsed.services.count == 4)
        #expect(parsed.preferred?.control.target == "/ip2")
        let withoutV2 = try DeviceDescription(
            parsing: description([
                (WANConnectionService.pppConnection1, "/ppp"), (WANConnectionService.ipConnection1, "/ip1"),
            ]),
            location: location)
        #expect(withoutV2.preferred?.control.target == "/ip1")
    }

    @Test func ignoresOtherServices() throws {
        let parsed = try DeviceDescription(
            parsing: description([
                ("urn:schemas-upnp-org:service:WANIPv6FirewallControl:1", "/fw"),
                ("urn:schemas-upnp-org:service:Layer3Forwarding:1", "/l3f"),
            ]), location: location)
        #expect(parsed.services.isEmpty)
        #expect(parsed.preferred == nil)
    }

    @Test func resolvesAgainstURLBase() throws {
        let parsed = try DeviceDescription(
            parsing: description(
                [(WANConnectionService.ipConnection1, "upnp/control/WANIPConn1")], urlBase: "http://198.51.100.1:49000/"
            ),
            location: location)
        let control = try #require(parsed.preferred?.control)
        #expect(control.endpoint == HTTPEndpoint(host: IPAddress(ipv4: 0xC633_6401), port: 49000))
        #expect(control.target == "/upnp/control/WANIPConn1")
    }

    @Test func resolvesRelativePathsAgainstTheLocation() throws {
        let nested = HTTPLocation(endpoint: location.endpoint, target: "/igd/desc.xml")
        let parsed = try DeviceDescription(
            parsing: description([(WANConnectionService.ipConnection2, "ctl/IPConn")]), location: nested)
        #expect(parsed.preferred?.control.target == "/igd/ctl/IPConn")
    }

    @Test func keepsAbsoluteControlURLs() throws {
        let parsed = try DeviceDescription(
            parsing: description([(WANConnectionService.ipConnection2, " http://198.51.100.7:8080/c\n")]),
            location: location)
        #expect(parsed.preferred?.control.endpoint == HTTPEndpoint(host: IPAddress(ipv4: 0xC633_6407), port: 8080))
    }

    @Test func refusesHostNamesInControlURLs() throws {
        let parsed = try DeviceDescription(
            parsing: description([
                (WANConnectionService.ipConnection2, "http://fritz.box:49000/ctl"),
                (WANConnectionService.ipConnection1, "/ip1"),
            ]), location: location)
        #expect(parsed.preferred?.control.target == "/ip1")
        #expect(parsed.unusable.count == 1)
        #expect(parsed.unusable.first?.contains("host name \"fritz.box\"") == true)
    }

    @Test func unusableURLBaseOnlyAffectsRelativeControlURLs() throws {
        let parsed = try DeviceDescription(
            parsing: description(
                [
                    (WANConnectionService.ipConnection2, "/rel"),
                    (WANConnectionService.ipConnection1, "http://198.51.100.1/abs"),
                ],
                urlBase: "http://gateway.lan/"),
            location: location)
        #expect(parsed.services.map(\.control.target) == ["/abs"])
        #expect(parsed.unusable.count == 1)
    }

    @Test func serviceWithoutControlURLIsUnusable() throws {
        let parsed = try DeviceDescription(
            parsing: description([(WANConnectionService.ipConnection2, "")]), location: location)
        #expect(parsed.services.isEmpty)
        #expect(parsed.unusable == ["\(WANConnectionService.ipConnection2): no controlURL"])
    }

    @Test func refusesDocumentsThatAreNotDescriptions() {
        #expect(throws: DeviceDescriptionError.notADeviceDescription("html")) {
            try DeviceDescription(parsing: Array("<html><body>Router login</body></html>".utf8), location: location)
        }
    }

    @Test func refusesMalformedXML() {
        #expect(throws: DeviceDescriptionError.xml(XMLError(.unexpectedEnd("<root>"), at: 6))) {
            try DeviceDescription(parsing: Array("<root>".utf8), location: location)
        }
    }
}
