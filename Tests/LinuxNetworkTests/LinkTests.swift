import LinuxNetwork
import NetworkDriver
import NetworkFrames
import Testing

@Suite(.enabled(if: NamespacePair.isAvailable, NamespacePair.unavailableReason))
struct LinkTests {
    @Test func linksReportTheVethWithItsAddressAndStateAndLoopbackAsLoopback() async throws {
        try await NamespacePair.with { pair in
            try await pair.ip(pair.a, "link", "set", "eth0", "address", "02:00:00:00:00:0a")
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let links = try await driver.links()

            let eth0 = try #require(links.first { $0.name == "eth0" })
            #expect(eth0.hardwareAddress == MACAddress(0x02, 0, 0, 0, 0, 0x0a))
            #expect(eth0.isUp)
            #expect(!eth0.isLoopback)
            let lo = try #require(links.first { $0.name == "lo" })
            #expect(lo.isLoopback)
            #expect(lo.hardwareAddress == nil)
            #expect(links.count == 2)
        }
    }

    @Test func linksReportALinkThatIsDownAsDown() async throws {
        try await NamespacePair.with { pair in
            try await pair.ip(pair.a, "link", "set", "eth0", "down")
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let eth0 = try #require(try await driver.links().first { $0.name == "eth0" })
            #expect(!eth0.isUp)
        }
    }

    @Test func linksAreThoseOfTheDriversNamespaceNotTheThreads() async throws {
        try await NamespacePair.with { pair in
            let index = try await pair.linkIndex(in: pair.b)
            let links = try await LinuxNetworkDriver(networkNamespace: pair.b).links()
            #expect(links.first { $0.name == "eth0" }?.index == index)
            #expect(links.first { $0.name == "eth0" }?.hardwareAddress == NamespacePair.macB)
        }
    }

    @Test func aMissingNamespaceFailsInit() {
        #expect(throws: NetworkDriverError.self) {
            _ = try LinuxNetworkDriver(networkNamespace: "kvl-does-not-exist-\(UInt32.random(in: 0...UInt32.max))")
        }
    }
}

extension NamespacePair {
    /// eth0's index in `namespace`, as `ip` reports it.
    func linkIndex(in namespace: String) async throws -> Int32 {
        let output = try await ip(namespace, "-o", "link", "show", "eth0")
        return try #require(Int32(output.prefix { $0 != ":" }))
    }
}
