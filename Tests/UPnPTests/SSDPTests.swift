import NetworkAddresses
import Testing
import UPnP

@Suite("SSDP")
struct SSDPTests {
    @Test func searchRequestEncodesExactBytes() {
        let request = SSDPSearchRequest(searchTarget: WANConnectionService.ipConnection2, maximumWait: 1)
        let expected =
            "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
            + "ST: urn:schemas-upnp-org:service:WANIPConnection:2\r\n\r\n"
        #expect(request.bytes == Array(expected.utf8))
    }

    @Test func searchRequestCarriesTheUserAgentLast() {
        let request = SSDPSearchRequest(
            searchTarget: WANConnectionService.pppConnection1, maximumWait: 2, userAgent: "Linux UPnP/1.1 kube-vip")
        let text = String(decoding: request.bytes, as: UTF8.self)
        #expect(
            text.hasSuffix(
                "MX: 2\r\nST: urn:schemas-upnp-org:service:WANPPPConnection:1\r\nUSER-AGENT: Linux UPnP/1.1 kube-vip\r\n\r\n"
            ))
    }

    @Test func searchRequestClampsMXToWhatDevicesAccept() {
        let low = String(decoding: SSDPSearchRequest(searchTarget: "ssdp:all", maximumWait: 0).bytes, as: UTF8.self)
        let high = String(decoding: SSDPSearchRequest(searchTarget: "ssdp:all", maximumWait: 120).bytes, as: UTF8.self)
        #expect(low.contains("\r\nMX: 1\r\n"))
        #expect(high.contains("\r\nMX: 5\r\n"))
    }

    @Test func searchRequestValuesCannotAddHeaders() {
        let request = SSDPSearchRequest(searchTarget: "ssdp:all\r\nX-Evil: 1", userAgent: "a\nb")
        let text = String(decoding: request.bytes, as: UTF8.self)
        #expect(text.contains("ST: ssdp:allX-Evil: 1\r\n"))
        #expect(text.contains("USER-AGENT: ab\r\n"))
        #expect(text.split(separator: "\r\n", omittingEmptySubsequences: false).count == 8)
    }

    @Test func multicastGroupIsTheSSDPOne() {
        #expect(SSDPSearchRequest.multicastAddress == IPAddress("239.255.255.250"))
        #expect(SSDPSearchRequest.port == 1900)
    }

    @Test func decodesMiniupnpdsRealAnswer() throws {
        let answer = try SSDPResponse(decoding: Fixtures.ssdpAnswer)
        #expect(answer.location == "http://198.51.100.254:5000/rootDesc.xml")
        #expect(answer.searchTarget == WANConnectionService.ipConnection2)
        #expect(
            answer.uniqueServiceName
                == "uuid:3d3c5c2a-0000-4000-8000-000000000003::urn:schemas-upnp-org:service:WANIPConnection:2")
        #expect(answer.maximumAge == 120)
        #expect(answer.server == "Debian/6.18.44-fc-v657 UPnP/1.1 MiniUPnPd/2.3.1")
    }

    @Test func headerNamesAreCaseInsensitiveAndBareLineFeedsAccepted() throws {
        let text =
            "HTTP/1.1 200 OK\nLocation:http://198.51.100.1/desc.xml \ncache-control: no-cache, Max-Age = 1800\nst: upnp:rootdevice\n\n"
        let answer = try SSDPResponse(decoding: Array(text.utf8))
        #expect(answer.location == "http://198.51.100.1/desc.xml")
        #expect(answer.maximumAge == 1800)
        #expect(answer.searchTarget == "upnp:rootdevice")
    }

    @Test func answerWithoutFinalBlankLineIsAccepted() throws {
        let answer = try SSDPResponse(decoding: Array("HTTP/1.1 200 OK\r\nLOCATION: http://198.51.100.1/d.xml".utf8))
        #expect(answer.location == "http://198.51.100.1/d.xml")
        #expect(answer.maximumAge == nil)
    }

    @Test func notifyIsNotAnAnswer() {
        #expect(throws: SSDPDecodingError.notAResponse("NOTIFY * HTTP/1.1")) {
            try SSDPResponse(decoding: Fixtures.notify)
        }
    }

    @Test func otherSearchersRequestsAreNotAnswers() {
        let search = SSDPSearchRequest(searchTarget: "ssdp:all").bytes
        #expect(throws: SSDPDecodingError.notAResponse("M-SEARCH * HTTP/1.1")) { try SSDPResponse(decoding: search) }
    }

    @Test func otherStatusIsRefused() {
        #expect(throws: SSDPDecodingError.status(404)) {
            try SSDPResponse(decoding: Array("HTTP/1.1 404 Not Found\r\nLOCATION: http://198.51.100.1/\r\n\r\n".utf8))
        }
    }

    @Test func answerWithoutLocationIsRefused() {
        #expect(throws: SSDPDecodingError.missingLocation) {
            try SSDPResponse(decoding: Array("HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n".utf8))
        }
        #expect(throws: SSDPDecodingError.missingLocation) {
            try SSDPResponse(decoding: Array("HTTP/1.1 200 OK\r\nLOCATION:   \r\n\r\n".utf8))
        }
    }

    @Test func twoDifferentLocationsAreRefused() {
        let text = "HTTP/1.1 200 OK\r\nLOCATION: http://198.51.100.1/a\r\nLocation: http://198.51.100.2/a\r\n\r\n"
        #expect(throws: SSDPDecodingError.conflictingLocations) { try SSDPResponse(decoding: Array(text.utf8)) }
    }

    @Test func oversizedDatagramIsRefused() {
        var bytes = Fixtures.ssdpAnswer
        bytes.append(contentsOf: [UInt8](repeating: UInt8(ascii: "a"), count: 8192))
        #expect(throws: SSDPDecodingError.tooLarge(bytes.count)) { try SSDPResponse(decoding: bytes) }
    }

    @Test func invalidUTF8IsRefused() {
        var bytes = Fixtures.ssdpAnswer
        bytes[20] = 0xFF
        #expect(throws: SSDPDecodingError.notUTF8) { try SSDPResponse(decoding: bytes) }
    }

    @Test func binaryJunkIsRefused() {
        #expect(throws: SSDPDecodingError.controlCharacter(offset: 0)) {
            try SSDPResponse(decoding: [0x00, 0x01, 0x02, 0x03])
        }
    }

    @Test func headerLineWithoutColonIsRefused() {
        #expect(throws: SSDPDecodingError.malformedHeader("LOCATION http://198.51.100.1/")) {
            try SSDPResponse(decoding: Array("HTTP/1.1 200 OK\r\nLOCATION http://198.51.100.1/\r\n\r\n".utf8))
        }
    }

    @Test func emptyDatagramIsRefused() {
        #expect(throws: SSDPDecodingError.notAResponse("")) { try SSDPResponse(decoding: []) }
    }

    @Test func serviceTypesArePreferredInIGDOrder() {
        #expect(WANConnectionService.preference(of: WANConnectionService.ipConnection2) == 0)
        #expect(WANConnectionService.preference(of: " urn:schemas-upnp-org:service:WANIPConnection:1\n") == 1)
        #expect(WANConnectionService.preference(of: WANConnectionService.pppConnection1) == 2)
        #expect(WANConnectionService.preference(of: "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1") == nil)
    }
}
