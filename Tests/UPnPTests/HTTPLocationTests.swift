import NetworkAddresses
import Testing
import UPnP

@Suite("HTTP locations")
struct HTTPLocationTests {
    let base = HTTPLocation(
        endpoint: HTTPEndpoint(host: IPAddress(ipv4: 0xC633_64FE), port: 5000), target: "/dev/rootDesc.xml?x=1")

    @Test func parsesIPv4WithPort() throws {
        let location = try HTTPLocation(parsing: "http://198.51.100.254:5000/rootDesc.xml")
        #expect(location.endpoint == HTTPEndpoint(host: IPAddress(ipv4: 0xC633_64FE), port: 5000))
        #expect(location.target == "/rootDesc.xml")
        #expect(location.description == "http://198.51.100.254:5000/rootDesc.xml")
    }

    @Test func defaultsToPort80AndPathSlash() throws {
        let location = try HTTPLocation(parsing: "  HTTP://198.51.100.1\n")
        #expect(location.endpoint.port == 80)
        #expect(location.target == "/")
        #expect(try HTTPLocation(parsing: "http://198.51.100.1:/x").endpoint.port == 80)
    }

    @Test func parsesBracketedIPv6() throws {
        let location = try HTTPLocation(parsing: "http://[2001:db8::1]:49152/desc?a=b#frag")
        #expect(location.endpoint == HTTPEndpoint(host: try #require(IPAddress("2001:db8::1")), port: 49152))
        #expect(location.target == "/desc?a=b")
        #expect(location.description == "http://[2001:db8::1]:49152/desc?a=b")
    }

    @Test func refusesHostNames() {
        #expect(throws: HTTPLocationError.hostName("fritz.box")) {
            try HTTPLocation(parsing: "http://fritz.box:49000/igd.xml")
        }
        #expect(throws: HTTPLocationError.hostName("router")) { try HTTPLocation(parsing: "http://router/") }
    }

    @Test func refusesOtherSchemes() {
        #expect(throws: HTTPLocationError.unsupportedScheme("https")) {
            try HTTPLocation(parsing: "https://198.51.100.1/")
        }
        #expect(throws: HTTPLocationError.unsupportedScheme("ftp")) { try HTTPLocation(parsing: "ftp://198.51.100.1/") }
    }

    @Test func refusesMalformedURLs() {
        #expect(throws: HTTPLocationError.empty) { try HTTPLocation(parsing: " ") }
        #expect(throws: HTTPLocationError.malformed("user information in the URL")) {
            try HTTPLocation(parsing: "http://admin@198.51.100.1/")
        }
        #expect(throws: HTTPLocationError.malformed("port \"99999\"")) {
            try HTTPLocation(parsing: "http://198.51.100.1:99999/")
        }
        #expect(throws: HTTPLocationError.malformed("port \"0\"")) {
            try HTTPLocation(parsing: "http://198.51.100.1:0/")
        }
        #expect(throws: HTTPLocationError.malformed("IPv6 address without brackets")) {
            try HTTPLocation(parsing: "http://2001:db8::1/")
        }
        #expect(throws: HTTPLocationError.malformed("unclosed '[' in the host")) {
            try HTTPLocation(parsing: "http://[2001:db8::1/")
        }
        #expect(throws: HTTPLocationError.malformed("no host")) { try HTTPLocation(parsing: "http:///x") }
        #expect(throws: HTTPLocationError.malformed("rootDesc.xml")) { try HTTPLocation(parsing: "rootDesc.xml") }
    }

    @Test func refusesPathsThatWouldBreakTheRequestLine() {
        let refusal = HTTPLocationError.malformed("spaces, control or non-ASCII characters in the path")
        #expect(throws: refusal) { try HTTPLocation(parsing: "http://198.51.100.1/a b") }
        #expect(throws: refusal) { try base.resolving("/ctl\r\nHost: x") }
        #expect(throws: refusal) { try base.resolving("/ctl/é") }
    }

    @Test func resolvesAbsolutePaths() throws {
        let control = try base.resolving("/ctl/IPConn")
        #expect(control.endpoint == base.endpoint)
        #expect(control.target == "/ctl/IPConn")
    }

    @Test func resolvesRelativePathsAgainstTheDirectory() throws {
        #expect(try base.resolving("ctl/IPConn").target == "/dev/ctl/IPConn")
        #expect(try base.resolving("./ctl").target == "/dev/ctl")
        #expect(try base.resolving("../upnp/control/WANIPConn1").target == "/upnp/control/WANIPConn1")
        #expect(try base.resolving("../../../x").target == "/x")
        #expect(try base.resolving("?y=2").target == "/dev/rootDesc.xml?y=2")
        #expect(try base.resolving("").target == base.target)
    }

    @Test func resolvesAbsoluteURLsToTheirOwnHost() throws {
        let control = try base.resolving("http://198.51.100.2:49000/upnp/control/WANIPConn1")
        #expect(control.endpoint == HTTPEndpoint(host: IPAddress(ipv4: 0xC633_6402), port: 49000))
        #expect(control.target == "/upnp/control/WANIPConn1")
        #expect(try base.resolving("//198.51.100.3/c").endpoint.host == IPAddress(ipv4: 0xC633_6403))
    }

    @Test func refusesAbsoluteURLsWithOtherSchemesOrHostNames() {
        #expect(throws: HTTPLocationError.unsupportedScheme("https")) { try base.resolving("https://198.51.100.2/c") }
        #expect(throws: HTTPLocationError.hostName("gw.example")) { try base.resolving("http://gw.example/c") }
    }
}
