import Testing
import UPnP

@Suite("SOAP")
struct SOAPTests {
    static let addPortMapping = SOAPRequest(
        serviceType: WANConnectionService.ipConnection2, action: "AddPortMapping",
        arguments: [
            SOAPArgument("NewRemoteHost", ""), SOAPArgument("NewExternalPort", "32380"),
            SOAPArgument("NewProtocol", "TCP"), SOAPArgument("NewInternalPort", "32380"),
            SOAPArgument("NewInternalClient", "198.51.100.100"), SOAPArgument("NewEnabled", "1"),
            SOAPArgument("NewPortMappingDescription", "default/web"), SOAPArgument("NewLeaseDuration", "3600"),
        ])

    @Test func encodesAddPortMappingExactly() {
        let expected = [
            "<?xml version=\"1.0\"?>\r\n",
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"",
            " s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">",
            "<s:Body><u:AddPortMapping xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">",
            "<NewRemoteHost></NewRemoteHost><NewExternalPort>32380</NewExternalPort><NewProtocol>TCP</NewProtocol>",
            "<NewInternalPort>32380</NewInternalPort><NewInternalClient>198.51.100.100</NewInternalClient>",
            "<NewEnabled>1</NewEnabled><NewPortMappingDescription>default/web</NewPortMappingDescription>",
            "<NewLeaseDuration>3600</NewLeaseDuration>",
            "</u:AddPortMapping></s:Body></s:Envelope>\r\n",
        ].joined()
        #expect(String(decoding: Self.addPortMapping.body, as: UTF8.self) == expected)
    }

    @Test func headersNameTheActionAndContentType() {
        let request = Self.addPortMapping.httpRequest(target: "/ctl/IPConn")
        #expect(request.method == "POST")
        #expect(request.target == "/ctl/IPConn")
        #expect(
            request.headers == [
                HTTPHeader("Content-Type", "text/xml; charset=\"utf-8\""),
                HTTPHeader("SOAPAction", "\"urn:schemas-upnp-org:service:WANIPConnection:2#AddPortMapping\""),
            ])
        #expect(request.body == Self.addPortMapping.body)
    }

    @Test func escapesArgumentValues() {
        let request = SOAPRequest(
            serviceType: "urn:x", action: "A", arguments: [SOAPArgument("D", "a<b>&\"c'\u{1}\td")])
        let text = String(decoding: request.body, as: UTF8.self)
        #expect(text.contains("<D>a&lt;b&gt;&amp;&quot;c&apos;\td</D>"))
    }

    @Test func encodedRequestReadsBackThroughTheReader() throws {
        let envelope = try XMLReader.parse(Self.addPortMapping.body)
        let action = try #require(envelope.child("Body")?.child("AddPortMapping"))
        #expect(action.namespaceURI == WANConnectionService.ipConnection2)
        #expect(action.children.map(\.localName).first == "NewRemoteHost")
        #expect(action.childText("NewPortMappingDescription") == "default/web")
    }

    @Test func decodesMiniupnpdsExternalAddressAnswer() throws {
        let response = try SOAPResponse(decoding: Fixtures.externalAddressAnswer, action: "GetExternalIPAddress")
        #expect(response == .success([SOAPArgument("NewExternalIPAddress", "100.128.0.1")]))
    }

    @Test func decodesAnEmptySelfClosingAnswer() throws {
        #expect(try SOAPResponse(decoding: Fixtures.addPortMappingAnswer, action: "AddPortMapping") == .success([]))
        #expect(
            try SOAPResponse(decoding: Fixtures.deletePortMappingAnswer, action: "DeletePortMapping") == .success([]))
    }

    @Test func decodesArgumentsInOrder() throws {
        let response = try SOAPResponse(
            decoding: Fixtures.portMappingEntryAnswer, action: "GetSpecificPortMappingEntry")
        #expect(
            response
                == .success([
                    SOAPArgument("NewInternalPort", "32380"), SOAPArgument("NewInternalClient", "198.51.100.100"),
                    SOAPArgument("NewEnabled", "1"), SOAPArgument("NewPortMappingDescription", "default/web"),
                    SOAPArgument("NewLeaseDuration", "3600"),
                ]))
    }

    @Test func decodesMiniupnpdsConflictFault() throws {
        let response = try SOAPResponse(decoding: Fixtures.conflictFault, action: "AddPortMapping")
        #expect(response == .fault(UPnPError(code: 718, text: "ConflictInMappingEntry")))
    }

    @Test func decodesMiniupnpdsNotAuthorizedFault() throws {
        let response = try SOAPResponse(decoding: Fixtures.notAuthorizedFault, action: "AddPortMapping")
        #expect(response == .fault(UPnPError(code: 606, text: "Action not authorized")))
    }

    @Test func decodesMiniupnpdsNoSuchEntryFault() throws {
        let response = try SOAPResponse(decoding: Fixtures.noSuchEntryFault, action: "GetSpecificPortMappingEntry")
        #expect(response == .fault(UPnPError(code: UPnPError.noSuchEntryInArray, text: "NoSuchEntryInArray")))
    }

    @Test func faultWithoutUPnPErrorIsItsOwnError() {
        let body =
            "<s:Envelope xmlns:s=\"urn:s\"><s:Body><s:Fault><faultcode>s:Server</faultcode></s:Fault></s:Body></s:Envelope>"
        #expect(throws: SOAPDecodingError.faultWithoutUPnPError) {
            try SOAPResponse(decoding: Array(body.utf8), action: "AddPortMapping")
        }
    }

    @Test func faultWithoutNumericCodeIsMalformed() {
        let body =
            "<Envelope><Body><Fault><detail><UPnPError><errorCode>seven</errorCode></UPnPError></detail></Fault></Body></Envelope>"
        #expect(throws: SOAPDecodingError.unexpectedElement("fault without a numeric <errorCode>")) {
            try SOAPResponse(decoding: Array(body.utf8), action: "AddPortMapping")
        }
    }

    @Test func answerToAnotherActionIsRefused() {
        #expect(
            throws: SOAPDecodingError.unexpectedElement(
                "<GetExternalIPAddressResponse> instead of <AddPortMappingResponse>")
        ) {
            try SOAPResponse(decoding: Fixtures.externalAddressAnswer, action: "AddPortMapping")
        }
    }

    @Test func documentsThatAreNotEnvelopesAreRefused() {
        #expect(throws: SOAPDecodingError.unexpectedElement("<root> as root")) {
            try SOAPResponse(decoding: Fixtures.rootDescription, action: "AddPortMapping")
        }
        #expect(throws: SOAPDecodingError.unexpectedElement("no <Body> in the envelope")) {
            try SOAPResponse(decoding: Array("<Envelope/>".utf8), action: "AddPortMapping")
        }
        #expect(throws: SOAPDecodingError.unexpectedElement("empty <Body>")) {
            try SOAPResponse(decoding: Array("<Envelope><Body> </Body></Envelope>".utf8), action: "AddPortMapping")
        }
    }

    @Test func garbageIsAnXMLError() {
        #expect(throws: SOAPDecodingError.xml(XMLError(.syntax("text before the root element"), at: 0))) {
            try SOAPResponse(decoding: Array("Internal Server Error".utf8), action: "AddPortMapping")
        }
    }

    @Test func fixturesAreTheCapturedBytes() {
        // Content-Length of each capture, so an edit to a fixture cannot go unnoticed.
        #expect(Fixtures.rootDescription.count == 3095)
        #expect(Fixtures.externalAddressAnswer.count == 357)
        #expect(Fixtures.addPortMappingAnswer.count == 263)
        #expect(Fixtures.portMappingEntryAnswer.count == 541)
        #expect(Fixtures.noSuchEntryFault.count == 402)
        #expect(Fixtures.conflictFault.count == 406)
        #expect(Fixtures.notAuthorizedFault.count == 405)
        #expect(Fixtures.deletePortMappingAnswer.count == 295)
    }
}

@Suite("UPnP error meanings")
struct UPnPErrorMeaningTests {
    @Test func everyCommonCodeHasAName() {
        for code in [401, 402, 501, 606, 713, 714, 715, 716, 718, 724, 725, 726, 727, 728, 729, 732] {
            #expect(UPnPError(code: code, text: "").name != nil, "code \(code)")
        }
    }

    @Test func conflictMeaningSaysThePortIsTaken() {
        #expect(
            UPnPError(code: 718, text: "ConflictInMappingEntry").meaning
                == "the external port is already mapped to another client on the gateway (UPnP error 718 ConflictInMappingEntry)"
        )
    }

    @Test func onlyPermanentLeasesMeaningNamesLeaseZero() {
        #expect(UPnPError(code: UPnPError.onlyPermanentLeasesSupported, text: "").meaning.contains("lease duration 0"))
    }

    @Test func unknownCodesFallBackToTheGatewaysText() {
        #expect(
            UPnPError(code: 899, text: " Vendor thing ").meaning
                == "the gateway refused the request: Vendor thing (UPnP error 899)")
        #expect(UPnPError(code: 899, text: "").meaning == "the gateway refused the request (UPnP error 899)")
        #expect(UPnPError(code: 899, text: "").name == nil)
    }
}
