import LinuxNetwork
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Testing

/// The DHCP client's capture filter, in the kernel (a socket filter) and as the reference predicate.
@Suite(.enabled(if: NamespacePair.isAvailable, NamespacePair.unavailableReason))
struct CaptureFilterTests {
    static let server = IPAddress(ipv4: 0xC633_6402)  // 198.51.100.2
    static let client = IPAddress(ipv4: 0xC633_6432)  // 198.51.100.50

    static func udp(toPort port: UInt16, fragmentOffset: UInt16 = 0) -> [UInt8] {
        let payload = UDPDatagram(sourcePort: 67, destinationPort: port, payload: Array(repeating: 0x5A, count: 32))
            .encode(source: server, destination: client)
        var frame = EthernetFrame(
            destination: NamespacePair.macB, source: NamespacePair.macA, etherType: .ipv4,
            payload: IPv4Packet(
                header: IPv4Header(
                    totalLength: UInt16(IPv4Header.length + payload.count), timeToLive: 64,
                    protocolNumber: IPv4Header.udpProtocolNumber, source: server, destination: client),
                payload: payload
            ).encode()
        ).encode()
        if fragmentOffset != 0 {
            frame[20] = UInt8(fragmentOffset >> 8)
            frame[21] = UInt8(fragmentOffset & 0xFF)
        }
        return frame
    }

    @Test func theKernelHandsTheDHCPCaptureOnlyDatagramsToPort68() async throws {
        try await NamespacePair.with(quietA: true) { pair in
            let (driverA, linkA) = try await pair.driver(for: pair.a)
            let (driverB, linkB) = try await pair.driver(for: pair.b)
            let filtered = try await driverB.capture(link: linkB, etherType: .ipv4, filter: .dhcpClient)
            let everything = try await driverB.capture(link: linkB, etherType: .ipv4)
            let wanted = Self.udp(toPort: 68)

            try await driverA.send(frame: Self.udp(toPort: 69), link: linkA)
            try await driverA.send(frame: Self.udp(toPort: 68, fragmentOffset: 8), link: linkA)
            try await driverA.send(frame: wanted, link: linkA)

            #expect(try await filtered.next(timeout: .seconds(1)) == wanted)
            #expect(try await filtered.next(timeout: .milliseconds(200)) == nil)
            var unfiltered = 0
            while try await everything.next(timeout: .milliseconds(200)) != nil { unfiltered += 1 }
            #expect(unfiltered == 3, "all three arrived; the filter dropped two")
            await filtered.close()
            await everything.close()
        }
    }
}

/// The same rules as the kernel filter above, as the predicate in-process drivers use.
@Suite struct CaptureFilterPredicateTests {
    @Test func thePredicateMatchesTheKernelFilter() {
        #expect(CaptureFilter.dhcpClient.accepts(CaptureFilterTests.udp(toPort: 68)))
        #expect(!CaptureFilter.dhcpClient.accepts(CaptureFilterTests.udp(toPort: 69)))
        #expect(!CaptureFilter.dhcpClient.accepts(CaptureFilterTests.udp(toPort: 68, fragmentOffset: 8)))
        #expect(!CaptureFilter.dhcpClient.accepts(Array(CaptureFilterTests.udp(toPort: 68).prefix(30))))
        #expect(CaptureFilter.all.accepts([]))
    }
}
