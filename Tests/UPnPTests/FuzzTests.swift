import NetworkAddresses
import PropertyBased
import Testing
import UPnP

/// The decoders meet bytes from anything on the LAN: whatever they get, they return a value or an error,
/// never crash or hang. Property tests feed random and token-soup input; the deterministic loops feed every
/// truncation and single-byte mutations of the real miniupnpd fixtures.
@Suite("UPnP decoders: fuzz")
struct FuzzTests {
    static let location = HTTPLocation(endpoint: TestAddresses.gatewayControl, target: "/rootDesc.xml")

    /// Runs every decoder on `bytes`; errors are the expected outcome, so they are swallowed. The results
    /// are touched so that nothing is optimised away.
    static func decodeEverything(_ bytes: [UInt8]) -> Int {
        var outcomes = 0
        if let answer = try? SSDPResponse(decoding: bytes) {
            outcomes += answer.location.utf8.count
            outcomes += (try? HTTPLocation(parsing: answer.location))?.target.utf8.count ?? 0
        }
        if let root = try? XMLReader.parse(bytes) { outcomes += root.children.count }
        if let description = try? DeviceDescription(parsing: bytes, location: location) {
            outcomes += description.services.count + (description.preferred == nil ? 0 : 1)
        }
        for action in ["GetExternalIPAddress", "AddPortMapping", "GetSpecificPortMappingEntry"] {
            if let response = try? SOAPResponse(decoding: bytes, action: action) {
                switch response {
                case .success(let arguments): outcomes += arguments.count
                case .fault(let error): outcomes += error.meaning.utf8.count
                }
            }
        }
        return outcomes
    }

    /// Pieces of the markup and headers the decoders look for, so that random input reaches deep paths.
    static let tokens: [String] = [
        "<", ">", "/", "</", "/>", "=", "\"", "'", " ", "\r\n", "\n", "&", ";", "&amp;", "&lt;", "&#x41;", "&#65;",
        "&#0;",
        "&bogus;", "<![CDATA[", "]]>", "<!--", "-->", "<?xml version=\"1.0\"?>", "?>", "<!DOCTYPE x>", "<!ENTITY",
        "root", "device", "deviceList", "serviceList", "service", "serviceType", "controlURL", "URLBase", "s:", "u:",
        "Envelope", "Body", "Fault", "detail", "UPnPError", "errorCode", "errorDescription", "718", "x",
        "xmlns", "xmlns:s=\"urn:s\"", WANConnectionService.ipConnection2, WANConnectionService.pppConnection1,
        "http://", "http://198.51.100.1:5000/", "http://[2001:db8::1]/", "/ctl", "../", "?q", "#f", "fritz.box",
        "AddPortMappingResponse", "NewExternalIPAddress", "HTTP/1.1 200 OK", "LOCATION:", "ST:",
        "CACHE-CONTROL: max-age=",
        "NOTIFY * HTTP/1.1", "\u{0}", "\u{FF}", "é", "99999999999",
    ]

    @Test func randomBytesOnlyEverGiveErrorsOrValues() async {
        await propertyCheck(count: 300, input: Gen.uint8(in: 0...255).array(of: 0...600)) { bytes in
            _ = Self.decodeEverything(bytes)
        }
    }

    @Test func randomTokenSoupOnlyEverGivesErrorsOrValues() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...(Self.tokens.count - 1)).array(of: 0...120)) { picks in
            let text = picks.map { Self.tokens[$0] }.joined()
            _ = Self.decodeEverything(Array(text.utf8))
        }
    }

    @Test func wellFormedTokenSoupInsideRealEnvelopesIsHandled() async {
        // Random content inside a real answer's action element: the reader gets past the envelope.
        let envelope = String(decoding: Fixtures.externalAddressAnswer, as: UTF8.self)
        await propertyCheck(count: 300, input: Gen.int(in: 0...(Self.tokens.count - 1)).array(of: 0...40)) { picks in
            let inner = picks.map { Self.tokens[$0] }.joined()
            let text = envelope.replacing("100.128.0.1", with: inner)
            _ = Self.decodeEverything(Array(text.utf8))
        }
    }

    @Test func randomURLsOnlyEverGiveErrorsOrLocations() async {
        let base = Self.location
        await propertyCheck(count: 400, input: Gen.int(in: 0...(Self.tokens.count - 1)).array(of: 0...12)) { picks in
            let text = picks.map { Self.tokens[$0] }.joined()
            if let location = try? HTTPLocation(parsing: text) {
                #expect(location.target.hasPrefix("/"))
                #expect(location.target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
            }
            if let resolved = try? base.resolving(text) {
                #expect(resolved.target.hasPrefix("/"))
                #expect(resolved.target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
            }
        }
    }

    /// A real answer and the decoder that meets it in practice (one decoder each keeps the loops quick).
    struct Fixture: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var decode: @Sendable ([UInt8]) -> Int

        var testDescription: String { name }
    }

    static func soap(_ action: String) -> @Sendable ([UInt8]) -> Int {
        { bytes in
            switch try? SOAPResponse(decoding: bytes, action: action) {
            case .success(let arguments)?: arguments.count
            case .fault(let error)?: error.meaning.utf8.count
            case nil: 0
            }
        }
    }

    static let fixtures: [Fixture] = [
        Fixture(name: "SSDP answer", bytes: Fixtures.ssdpAnswer) { bytes in
            guard let answer = try? SSDPResponse(decoding: bytes) else { return 0 }
            return (try? HTTPLocation(parsing: answer.location))?.target.utf8.count ?? 1
        },
        Fixture(name: "device description", bytes: Fixtures.rootDescription) { bytes in
            (try? DeviceDescription(parsing: bytes, location: FuzzTests.location))?.services.count ?? 0
        },
        Fixture(
            name: "GetExternalIPAddress answer", bytes: Fixtures.externalAddressAnswer,
            decode: soap("GetExternalIPAddress")),
        Fixture(
            name: "GetSpecificPortMappingEntry answer", bytes: Fixtures.portMappingEntryAnswer,
            decode: soap("GetSpecificPortMappingEntry")),
        Fixture(name: "718 fault", bytes: Fixtures.conflictFault, decode: soap("AddPortMapping")),
        Fixture(name: "606 fault", bytes: Fixtures.notAuthorizedFault, decode: soap("AddPortMapping")),
    ]

    @Test(arguments: fixtures)
    func everyTruncationOfARealAnswerIsHandled(_ fixture: Fixture) {
        for length in 0..<fixture.bytes.count {
            _ = fixture.decode(Array(fixture.bytes[..<length]))
        }
    }

    @Test(arguments: fixtures)
    func singleByteMutationsOfARealAnswerAreHandled(_ fixture: Fixture) {
        // Bytes that matter to the decoders, plus a random one per position (fixed seed, so runs replay).
        let interesting: [UInt8] = [0x00, 0x0A, 0x22, 0x26, 0x2F, 0x3C, 0x3E, 0xFF]
        var random = SplitMix64(seed: 0x5550_6E50)
        let original = fixture.bytes
        for position in original.indices {
            for replacement in interesting + [UInt8.random(in: 0...255, using: &random)]
            where replacement != original[position] {
                var mutated = original
                mutated[position] = replacement
                _ = fixture.decode(mutated)
            }
        }
    }

    @Test func theFixtureDecodersAcceptTheUnmutatedAnswers() {
        for fixture in Self.fixtures {
            #expect(fixture.decode(fixture.bytes) > 0, "\(fixture.name)")
        }
    }

    @Test func mutationsThatKeepTheDescriptionValidStillFindTheService() {
        // Changing the friendly name's letters must not lose the control URL (the reader is not confused by
        // text it does not care about).
        let text = String(decoding: Fixtures.rootDescription, as: UTF8.self)
        for replacement in ["A", "&amp;", "<![CDATA[x]]>", "<!-- c -->", "&#x263A;"] {
            let mutated = text.replacing("Debian router</friendlyName>", with: "Debian \(replacement)</friendlyName>")
            let description = try? DeviceDescription(parsing: Array(mutated.utf8), location: Self.location)
            #expect(description?.preferred?.control.target == "/ctl/IPConn", "\(replacement)")
        }
    }

    @Test func deeplyNestedAndWideInputsAreRefusedQuickly() {
        let started = ContinuousClock.now
        let deep = Array((String(repeating: "<service>", count: 20_000)).utf8)
        #expect(throws: DeviceDescriptionError.self) { try DeviceDescription(parsing: deep, location: Self.location) }
        let wide = Array(("<root>" + String(repeating: "<service/>", count: 25_000) + "</root>").utf8)
        #expect(throws: DeviceDescriptionError.self) { try DeviceDescription(parsing: wide, location: Self.location) }
        let references = Array(("<a>" + String(repeating: "&#x41;", count: 40_000) + "</a>").utf8)
        #expect((try? XMLReader.parse(references))?.text.count == 40_000)
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}

/// A tiny deterministic generator so that the mutation loops replay exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
