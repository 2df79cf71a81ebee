import NetworkAddresses
import Testing
import UPnP

/// Settings that never wait on a timer, so the tests run at once; the overall limits are long because the fake
/// network answers at once, and a full parallel run can keep a test off the CPU for seconds (a CI run did: every
/// description "not fetched, discovery ran out of time" with the default 3 s + 5 s).
let quickSettings = InternetGatewayClient.Settings(
    searchTimeout: .seconds(600), searchResendDelay: .zero, requestTimeout: .seconds(600))

@Suite("Gateway client: discovery")
struct GatewayDiscoveryTests {
    static let location = "http://198.51.100.254:5000/rootDesc.xml"

    /// Serves miniupnpd's description at /rootDesc.xml.
    @Sendable static func miniupnpd(_ request: HTTPRequest, _ endpoint: HTTPEndpoint) -> HTTPResponse {
        guard request.method == "GET", request.target == "/rootDesc.xml", endpoint == TestAddresses.gatewayControl
        else {
            return HTTPResponse(status: 404)
        }
        return HTTPResponse(status: 200, body: Fixtures.rootDescription)
    }

    /// A description offering exactly `services` (type, control path).
    static func description(_ services: [(String, String)]) -> [UInt8] {
        let list = services.map {
            "<service><serviceType>\($0.0)</serviceType><controlURL>\($0.1)</controlURL></service>"
        }
        return Array("<root><device><serviceList>\(list.joined())</serviceList></device></root>".utf8)
    }

    @Test func findsMiniupnpdFromItsRealAnswerAndDescription() async throws {
        let network = FakeNetwork(
            answers: {
                $0 == WANConnectionService.ipConnection2
                    ? [SSDPDatagram(bytes: Fixtures.ssdpAnswer, sender: TestAddresses.gateway, senderPort: 1900)] : []
            },
            http: GatewayDiscoveryTests.miniupnpd)
        let client = InternetGatewayClient(network: network, settings: quickSettings)
        let gateway = try await client.discover(interface: "eth0", source: TestAddresses.node)
        #expect(gateway == .miniupnpd)
        #expect(network.exchanges.map(\.request.target) == ["/rootDesc.xml"])
        #expect(network.exchanges.first?.source == TestAddresses.node)
        #expect(try #require(network.exchanges.first?.timeout) <= quickSettings.requestTimeout)
    }

    @Test func searchesEachServiceTypeTwiceOnTheInterface() async throws {
        let network = FakeNetwork()
        let client = InternetGatewayClient(network: network, settings: quickSettings)
        await #expect(throws: UPnPFailure.self) {
            try await client.discover(interface: "eth1", source: TestAddresses.node)
        }
        let searches = network.searches
        #expect(searches.count == 6)
        for serviceType in WANConnectionService.all {
            #expect(searches.filter { $0.searchTarget == serviceType }.count == 2, "\(serviceType)")
        }
        #expect(searches.allSatisfy { $0.interface == "eth1" && $0.source == TestAddresses.node })
        #expect(
            searches.allSatisfy {
                $0.request.hasPrefix("M-SEARCH * HTTP/1.1\r\n") && $0.request.contains("\r\nMX: 1\r\n")
            })
    }

    @Test func resendsAfterTheDelayWithinTheSameOverallTimeout() async throws {
        let network = FakeNetwork()
        let settings = InternetGatewayClient.Settings(searchTimeout: .seconds(2), searchResendDelay: .milliseconds(20))
        let client = InternetGatewayClient(network: network, settings: settings)
        await #expect(throws: UPnPFailure.self) { try await client.discover(interface: "eth0", source: nil) }
        #expect(
            network.searches.map(\.timeout).sorted() == [
                .milliseconds(1980), .milliseconds(1980), .milliseconds(1980), .seconds(2), .seconds(2), .seconds(2),
            ])
    }

    @Test func prefersIPConnection2FromTheDescriptionWhenOnlyAnOlderTypeAnswered() async throws {
        let description = Self.description([
            (WANConnectionService.ipConnection1, "/ctl/v1"), (WANConnectionService.ipConnection2, "/ctl/v2"),
        ])
        let network = FakeNetwork(
            answers: {
                $0 == WANConnectionService.ipConnection1 ? [.answer(location: Self.location, searchTarget: $0)] : []
            },
            http: { _, _ in HTTPResponse(status: 200, body: description) })
        let gateway = try await InternetGatewayClient(network: network, settings: quickSettings)
            .discover(interface: "eth0", source: nil)
        #expect(gateway.serviceType == WANConnectionService.ipConnection2)
        #expect(gateway.controlPath == "/ctl/v2")
    }

    @Test func usesPPPWhenThatIsAllTheGatewayOffers() async throws {
        let description = Self.description([(WANConnectionService.pppConnection1, "/ctl/ppp")])
        let network = FakeNetwork(
            answers: { [.answer(location: Self.location, searchTarget: $0)] },
            http: { _, _ in HTTPResponse(status: 200, body: description) })
        let gateway = try await InternetGatewayClient(network: network, settings: quickSettings)
            .discover(interface: "eth0", source: nil)
        #expect(gateway.serviceType == WANConnectionService.pppConnection1)
    }

    @Test func fetchesEachLocationOnce() async throws {
        // Every search answers three times with the same LOCATION; the description has no WAN service, so
        // discovery hears all answers.
        let useless = Self.description([("urn:schemas-upnp-org:service:Layer3Forwarding:1", "/l3f")])
        let network = FakeNetwork(
            answers: { _ in Array(repeating: .answer(location: Self.location), count: 3) },
            http: { _, _ in HTTPResponse(status: 200, body: useless) })
        let client = InternetGatewayClient(network: network, settings: quickSettings)
        await #expect {
            try await client.discover(interface: "eth0", source: nil)
        } throws: { error in
            guard case .noGateway(let reason) = error as? UPnPFailure else { return false }
            return reason.contains("18 answer(s)") && reason.contains("no usable WAN connection service")
        }
        #expect(network.exchanges.count == 1)
    }

    @Test func stopsSearchingAsSoonAsAGatewayIsFound() async throws {
        let network = FakeNetwork(
            answers: { $0 == WANConnectionService.ipConnection2 ? [.answer(location: Self.location)] : [] },
            keepSearchesOpen: true, http: GatewayDiscoveryTests.miniupnpd)
        // A search that never ends by itself: only stopping early can return.
        let settings = InternetGatewayClient.Settings(searchTimeout: .seconds(3600), searchResendDelay: .zero)
        let started = ContinuousClock.now
        let gateway = try await InternetGatewayClient(network: network, settings: settings)
            .discover(interface: "eth0", source: nil)
        #expect(gateway == .miniupnpd)
        #expect(ContinuousClock.now - started < .seconds(60), "long before the search's hour")
        #expect(network.endedSearches == network.searches.count)
    }

    @Test func noAnswerIsNoGateway() async throws {
        let client = InternetGatewayClient(network: FakeNetwork(), settings: quickSettings)
        await #expect(
            throws: UPnPFailure.noGateway(
                "searched eth0 for WANIPConnection:2, WANIPConnection:1 and WANPPPConnection:1 for 600.0 seconds: no answer"
            )
        ) {
            try await client.discover(interface: "eth0", source: nil)
        }
    }

    @Test func searchFailureIsANetworkFailure() async throws {
        let network = FakeNetwork(searchError: .connection("no such interface eth9"))
        let client = InternetGatewayClient(network: network, settings: quickSettings)
        await #expect(throws: UPnPFailure.network(.connection("no such interface eth9"))) {
            try await client.discover(interface: "eth9", source: nil)
        }
    }

    @Test func brokenDevicesDoNotHideTheGateway() async throws {
        let network = FakeNetwork(
            answers: { serviceType in
                guard serviceType == WANConnectionService.ipConnection2 else { return [] }
                return [
                    SSDPDatagram(bytes: Fixtures.notify, sender: TestAddresses.gateway, senderPort: 1900),
                    SSDPDatagram(bytes: [0xde, 0xad, 0xbe, 0xef], sender: TestAddresses.node, senderPort: 1900),
                    .answer(location: "http://printer.lan/desc.xml", from: TestAddresses.node),
                    .answer(location: "http://198.51.100.11:8080/missing.xml", from: TestAddresses.node),
                    .answer(location: "http://198.51.100.11:8080/junk.xml", from: TestAddresses.node),
                    .answer(location: Self.location),
                ]
            },
            http: { request, endpoint in
                switch request.target {
                case "/junk.xml": HTTPResponse(status: 200, body: Array("<html>".utf8))
                default: GatewayDiscoveryTests.miniupnpd(request, endpoint)
                }
            })
        let gateway = try await InternetGatewayClient(network: network, settings: quickSettings)
            .discover(interface: "eth0", source: nil)
        #expect(gateway == .miniupnpd)
    }

    @Test func noUsableAnswerSaysWhatWasSeen() async throws {
        let network = FakeNetwork(
            answers: { serviceType in
                guard serviceType == WANConnectionService.ipConnection2 else { return [] }
                return [
                    SSDPDatagram(bytes: Fixtures.notify, sender: TestAddresses.gateway, senderPort: 1900),
                    .answer(location: "http://printer.lan/desc.xml", from: TestAddresses.node),
                    .answer(location: "http://198.51.100.11:8080/missing.xml", from: TestAddresses.node),
                ]
            })
        let client = InternetGatewayClient(network: network, settings: quickSettings)
        await #expect {
            try await client.discover(interface: "eth0", source: nil)
        } throws: { error in
            guard case .noGateway(let reason) = error as? UPnPFailure else { return false }
            return reason.contains("6 answer(s), none usable")
                && reason.contains("198.51.100.254: not an SSDP answer (first line \"NOTIFY * HTTP/1.1\")")
                && reason.contains("host name \"printer.lan\"")
                && reason.contains("http://198.51.100.11:8080/missing.xml: HTTP 404")
        }
    }

    @Test func oversizedDescriptionIsSkipped() async throws {
        let network = FakeNetwork(
            answers: { _ in [.answer(location: Self.location)] }, http: GatewayDiscoveryTests.miniupnpd)
        var settings = quickSettings
        settings.maxResponseBytes = 1000
        let client = InternetGatewayClient(network: network, settings: settings)
        await #expect {
            try await client.discover(interface: "eth0", source: nil)
        } throws: { error in
            guard case .noGateway(let reason) = error as? UPnPFailure else { return false }
            return reason.contains("longer than 1000 bytes")
        }
    }

    @Test func descriptionsAreNotFetchedOnceDiscoveryRanOutOfTime() async throws {
        let network = FakeNetwork(
            answers: { _ in [.answer(location: Self.location)] }, http: GatewayDiscoveryTests.miniupnpd)
        let settings = InternetGatewayClient.Settings(
            searchTimeout: .zero, searchResendDelay: .zero, requestTimeout: .zero)
        await #expect {
            try await InternetGatewayClient(network: network, settings: settings).discover(
                interface: "eth0", source: nil)
        } throws: { error in
            guard case .noGateway(let reason) = error as? UPnPFailure else { return false }
            return reason.contains("not fetched, discovery ran out of time")
        }
        #expect(network.exchanges.isEmpty)
    }

    @Test func cancellationEndsDiscovery() async throws {
        let network = FakeNetwork(keepSearchesOpen: true)
        let settings = InternetGatewayClient.Settings(searchTimeout: .seconds(3600), searchResendDelay: .zero)
        let task = Task {
            try await InternetGatewayClient(network: network, settings: settings).discover(
                interface: "eth0", source: nil)
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}

@Suite("Gateway client: actions")
struct GatewayActionTests {
    static let mapping = PortMapping(
        externalPort: 32380, protocol: .tcp, internalClient: TestAddresses.vip, internalPort: 32380,
        description: "default/web", leaseDuration: 3600)

    func makeClient(
        _ http: @escaping @Sendable (HTTPRequest, HTTPEndpoint) throws -> HTTPResponse
    ) -> (InternetGatewayClient, FakeNetwork) {
        let network = FakeNetwork(http: http)
        return (InternetGatewayClient(network: network, settings: quickSettings), network)
    }

    @Test func addPortMappingSendsTheIGDArguments() async throws {
        let (client, network) = makeClient { _, _ in HTTPResponse(status: 200, body: Fixtures.addPortMappingAnswer) }
        try await client.addPortMapping(Self.mapping, on: .miniupnpd, source: TestAddresses.vip)
        let exchange = try #require(network.exchanges.first)
        #expect(exchange.endpoint == TestAddresses.gatewayControl)
        #expect(exchange.source == TestAddresses.vip)
        #expect(exchange.request.method == "POST")
        #expect(exchange.request.target == "/ctl/IPConn")
        #expect(
            exchange.request.header("SOAPAction") == "\"urn:schemas-upnp-org:service:WANIPConnection:2#AddPortMapping\""
        )
        #expect(exchange.request.header("Content-Type") == "text/xml; charset=\"utf-8\"")
        #expect(exchange.request.body == SOAPTests.addPortMapping.body)
    }

    @Test func disabledPermanentMappingsAreSentAsSuch() async throws {
        let (client, network) = makeClient { _, _ in HTTPResponse(status: 200, body: Fixtures.addPortMappingAnswer) }
        var mapping = Self.mapping
        mapping.enabled = false
        mapping.leaseDuration = 0
        mapping.protocol = .udp
        try await client.addPortMapping(mapping, on: .miniupnpd, source: nil)
        let body = try #require(network.exchanges.first?.request.bodyText)
        #expect(body.contains("<NewProtocol>UDP</NewProtocol>"))
        #expect(body.contains("<NewEnabled>0</NewEnabled>"))
        #expect(body.contains("<NewLeaseDuration>0</NewLeaseDuration>"))
    }

    @Test func conflictIsAFault() async throws {
        let (client, _) = makeClient { _, _ in HTTPResponse(status: 500, body: Fixtures.conflictFault) }
        await #expect(throws: UPnPFailure.fault(UPnPError(code: 718, text: "ConflictInMappingEntry"))) {
            try await client.addPortMapping(Self.mapping, on: .miniupnpd, source: nil)
        }
    }

    @Test func faultWithStatus200IsStillAFault() async throws {
        let (client, _) = makeClient { _, _ in HTTPResponse(status: 200, body: Fixtures.notAuthorizedFault) }
        await #expect(throws: UPnPFailure.fault(UPnPError(code: 606, text: "Action not authorized"))) {
            try await client.addPortMapping(Self.mapping, on: .miniupnpd, source: nil)
        }
    }

    @Test func externalAddressIsRead() async throws {
        let (client, network) = makeClient { _, _ in HTTPResponse(status: 200, body: Fixtures.externalAddressAnswer) }
        let address = try await client.externalAddress(of: .miniupnpd, source: nil)
        #expect(address == IPAddress("100.128.0.1"))
        let request = try #require(network.exchanges.first?.request)
        #expect(
            request.header("SOAPAction") == "\"urn:schemas-upnp-org:service:WANIPConnection:2#GetExternalIPAddress\"")
        #expect(
            request.bodyText.contains(
                "<u:GetExternalIPAddress xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\"></u:GetExternalIPAddress>"
            ))
    }

    static func externalAddressAnswer(_ value: String) -> HTTPResponse {
        let body =
            "<s:Envelope xmlns:s=\"urn:s\"><s:Body><u:GetExternalIPAddressResponse xmlns:u=\"urn:u\">"
            + "<NewExternalIPAddress>\(value)</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>"
        return HTTPResponse(status: 200, body: Array(body.utf8))
    }

    @Test func emptyExternalAddressIsMalformed() async throws {
        // What miniupnpd answers when its WAN address is a private one.
        let (client, _) = makeClient { _, _ in Self.externalAddressAnswer("") }
        await #expect(throws: UPnPFailure.malformed("the gateway has no external address (empty NewExternalIPAddress)"))
        {
            try await client.externalAddress(of: .miniupnpd, source: nil)
        }
    }

    @Test func unparsableExternalAddressIsMalformedWithTheText() async throws {
        let (client, _) = makeClient { _, _ in Self.externalAddressAnswer("not-an-ip") }
        await #expect(throws: UPnPFailure.malformed("NewExternalIPAddress \"not-an-ip\" is not an IP address")) {
            try await client.externalAddress(of: .miniupnpd, source: nil)
        }
    }

    @Test func externalAddressIsTrimmed() async throws {
        let (client, _) = makeClient { _, _ in Self.externalAddressAnswer("\n  203.0.113.7 \n") }
        #expect(try await client.externalAddress(of: .miniupnpd, source: nil) == IPAddress("203.0.113.7"))
    }

    @Test func portMappingIsRead() async throws {
        let (client, network) = makeClient { _, _ in HTTPResponse(status: 200, body: Fixtures.portMappingEntryAnswer) }
        let mapping = try await client.portMapping(externalPort: 32380, protocol: .tcp, on: .miniupnpd, source: nil)
        #expect(mapping == Self.mapping)
        let body = try #require(network.exchanges.first?.request.bodyText)
        #expect(
            body.contains(
                "<u:GetSpecificPortMappingEntry xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\"><NewRemoteHost></NewRemoteHost>"
                    + "<NewExternalPort>32380</NewExternalPort><NewProtocol>TCP</NewProtocol></u:GetSpecificPortMappingEntry>"
            ))
    }

    @Test func missingPortMappingIsNil() async throws {
        let (client, _) = makeClient { _, _ in HTTPResponse(status: 500, body: Fixtures.noSuchEntryFault) }
        #expect(try await client.portMapping(externalPort: 32381, protocol: .tcp, on: .miniupnpd, source: nil) == nil)
    }

    @Test func portMappingWithBadFieldsIsMalformed() async throws {
        let body = String(decoding: Fixtures.portMappingEntryAnswer, as: UTF8.self)
            .replacing("<NewInternalPort>32380</NewInternalPort>", with: "<NewInternalPort>70000</NewInternalPort>")
        let (client, _) = makeClient { _, _ in HTTPResponse(status: 200, body: Array(body.utf8)) }
        await #expect(
            throws: UPnPFailure.malformed("GetSpecificPortMappingEntry: NewInternalPort \"70000\" is not valid")
        ) {
            try await client.portMapping(externalPort: 32380, protocol: .tcp, on: .miniupnpd, source: nil)
        }
    }

    @Test func portMappingWithoutAFieldIsMalformed() async throws {
        let body = String(decoding: Fixtures.portMappingEntryAnswer, as: UTF8.self)
            .replacing("<NewEnabled>1</NewEnabled>", with: "")
        let (client, _) = makeClient { _, _ in HTTPResponse(status: 200, body: Array(body.utf8)) }
        await #expect(throws: UPnPFailure.malformed("GetSpecificPortMappingEntry answer without NewEnabled")) {
            try await client.portMapping(externalPort: 32380, protocol: .tcp, on: .miniupnpd, source: nil)
        }
    }

    @Test func deletePortMappingSendsTheEntry() async throws {
        let (client, network) = makeClient { _, _ in HTTPResponse(status: 200, body: Fixtures.deletePortMappingAnswer) }
        try await client.deletePortMapping(
            externalPort: 32380, protocol: .udp, on: .miniupnpd, source: TestAddresses.vip)
        let request = try #require(network.exchanges.first?.request)
        #expect(request.header("SOAPAction") == "\"urn:schemas-upnp-org:service:WANIPConnection:2#DeletePortMapping\"")
        #expect(
            request.bodyText.contains(
                "<NewRemoteHost></NewRemoteHost><NewExternalPort>32380</NewExternalPort><NewProtocol>UDP</NewProtocol>")
        )
    }

    @Test func deletingAMissingMappingSucceeds() async throws {
        let (client, _) = makeClient { _, _ in HTTPResponse(status: 500, body: Fixtures.noSuchEntryFault) }
        try await client.deletePortMapping(externalPort: 32380, protocol: .tcp, on: .miniupnpd, source: nil)
    }

    @Test func deleteRefusedIsAFault() async throws {
        let (client, _) = makeClient { _, _ in HTTPResponse(status: 500, body: Fixtures.notAuthorizedFault) }
        await #expect(throws: UPnPFailure.fault(UPnPError(code: 606, text: "Action not authorized"))) {
            try await client.deletePortMapping(externalPort: 80, protocol: .tcp, on: .miniupnpd, source: nil)
        }
    }

    @Test func http500WithoutUPnPErrorIsAnHTTPStatus() async throws {
        let (client, _) = makeClient { _, _ in
            HTTPResponse(status: 500, body: Array("<html>Internal Server Error</html>".utf8))
        }
        await #expect(throws: UPnPFailure.httpStatus(500)) {
            try await client.addPortMapping(Self.mapping, on: .miniupnpd, source: nil)
        }
        let (empty, _) = makeClient { _, _ in HTTPResponse(status: 401) }
        await #expect(throws: UPnPFailure.httpStatus(401)) {
            try await empty.externalAddress(of: .miniupnpd, source: nil)
        }
    }

    @Test func successBodyWithAnErrorStatusIsAnHTTPStatus() async throws {
        let (client, _) = makeClient { _, _ in HTTPResponse(status: 503, body: Fixtures.addPortMappingAnswer) }
        await #expect(throws: UPnPFailure.httpStatus(503)) {
            try await client.addPortMapping(Self.mapping, on: .miniupnpd, source: nil)
        }
    }

    @Test func garbageIsMalformed() async throws {
        let (client, _) = makeClient { _, _ in HTTPResponse(status: 200, body: [0x00, 0xFF, 0x13]) }
        await #expect(
            throws: UPnPFailure.malformed("AddPortMapping: XML: character 0x0 is not allowed in XML (at byte 0)")
        ) {
            try await client.addPortMapping(Self.mapping, on: .miniupnpd, source: nil)
        }
    }

    @Test func transportErrorsAreNetworkFailures() async throws {
        let (client, _) = makeClient { _, _ in throw UPnPNetworkError.timedOut }
        await #expect(throws: UPnPFailure.network(.timedOut)) {
            try await client.externalAddress(of: .miniupnpd, source: nil)
        }
    }

    @Test func foreignErrorsAreConnectionFailures() async throws {
        struct Odd: Error, CustomStringConvertible { var description: String { "odd" } }
        let (client, _) = makeClient { _, _ in throw Odd() }
        await #expect(throws: UPnPFailure.network(.connection("odd"))) {
            try await client.externalAddress(of: .miniupnpd, source: nil)
        }
    }

    @Test func oversizedAnswerIsRefused() async throws {
        let network = FakeNetwork(http: { _, _ in HTTPResponse(status: 200, body: Fixtures.rootDescription) })
        var settings = quickSettings
        settings.maxResponseBytes = 2048
        let client = InternetGatewayClient(network: network, settings: settings)
        await #expect(throws: UPnPFailure.network(.responseTooLarge(limit: 2048))) {
            try await client.externalAddress(of: .miniupnpd, source: nil)
        }
    }
}
