import ObservabilityServer
import Testing

@Suite("Bind address parsing")
struct BindAddressTests {
    @Test(
        "Go-style host:port forms are read",
        arguments: [
            (":2112", "0.0.0.0", 2112), ("127.0.0.1:0", "127.0.0.1", 0), ("[::1]:8080", "::1", 8080),
            ("0.0.0.0:10258", "0.0.0.0", 10258), ("localhost:9090", "localhost", 9090), ("[::]:65535", "::", 65535),
            ("[fe80::1%eth0]:80", "fe80::1%eth0", 80),
        ])
    func goodForms(text: String, host: String, port: Int) throws {
        let address = try BindAddress(parsing: text)
        #expect(address == BindAddress(host: host, port: port))
    }

    @Test("the description writes the address back, IPv6 hosts in brackets")
    func description() throws {
        #expect(try BindAddress(parsing: ":2112").description == "0.0.0.0:2112")
        #expect(try BindAddress(parsing: "[::1]:8080").description == "[::1]:8080")
        #expect(BindAddress(host: "", port: 80).description == "0.0.0.0:80")
    }

    @Test(
        "bad input is rejected with a message that quotes it and says what is wrong",
        arguments: [
            ("", "expected host:port"), ("2112", #"write ":2112""#), ("::1:8080", "[::1]:8080"),
            ("127.0.0.1:65536", "out of range 0...65535"), ("127.0.0.1:99999999999999999999999", "out of range"),
            ("127.0.0.1:http", "not a number"), ("127.0.0.1:-1", "not a number"), ("127.0.0.1:", "missing port"),
            ("[::1]", "missing port"), ("[::1:80", #"missing "]""#), ("[127.0.0.1]:80", "brackets are for IPv6"),
            ("[::1]x:80", "unexpected"), (" :80", "whitespace"), ("a/b:80", "not a host name"),
        ])
    func badInput(text: String, problem: String) {
        #expect {
            _ = try BindAddress(parsing: text)
        } throws: { error in
            guard let error = error as? BindAddressError else { return false }
            return error.message.contains("\"\(text)\"") && error.message.contains(problem)
        }
    }
}
