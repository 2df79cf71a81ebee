import LinuxNetwork
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Testing

@Suite(.enabled(if: NamespacePair.isAvailable, NamespacePair.unavailableReason))
struct FrameTests {
    static let gratuitousRequest = ARPPacket.gratuitousRequest(announcing: AddressTests.vip, at: NamespacePair.macA)
        .ethernetFrame().encode()

    @Test func aFrameSentFromOneNamespaceArrivesInTheOtherByteForByte() async throws {
        try await NamespacePair.with(quietA: true) { pair in
            let (driverA, linkA) = try await pair.driver(for: pair.a)
            let (driverB, linkB) = try await pair.driver(for: pair.b)
            let capture = try await driverB.capture(link: linkB, etherType: .arp)

            try await driverA.send(frame: Self.gratuitousRequest, link: linkA)

            let received = try await capture.next(timeout: .seconds(1))
            #expect(received == Self.gratuitousRequest)
            await capture.close()
        }
    }

    @Test func captureReturnsNilWhenNothingArrivesInTime() async throws {
        try await NamespacePair.with { pair in
            let (driver, link) = try await pair.driver(for: pair.b)
            let capture = try await driver.capture(link: link, etherType: EtherType(rawValue: 0x88B5))
            let start = ContinuousClock.now

            let received = try await capture.next(timeout: .milliseconds(200))

            let elapsed = ContinuousClock.now - start
            #expect(received == nil)
            #expect(elapsed >= .milliseconds(200) && elapsed < .seconds(10), "times out, not waits on: \(elapsed)")
            await capture.close()
        }
    }

    @Test func captureDoesNotReturnFramesTheHostSendsItself() async throws {
        try await NamespacePair.with(quietA: true) { pair in
            let (driverA, linkA) = try await pair.driver(for: pair.a)
            let (driverB, linkB) = try await pair.driver(for: pair.b)
            let ownCapture = try await driverA.capture(link: linkA, etherType: .arp)
            let peerCapture = try await driverB.capture(link: linkB, etherType: .arp)

            try await driverA.send(frame: Self.gratuitousRequest, link: linkA)

            #expect(try await peerCapture.next(timeout: .seconds(1)) == Self.gratuitousRequest, "the frame did go out")
            #expect(try await ownCapture.next(timeout: .milliseconds(200)) == nil)
            await ownCapture.close()
            await peerCapture.close()
        }
    }

    @Test func captureReturnsOnlyItsEtherTypeFromItsLink() async throws {
        try await NamespacePair.with(quietA: true) { pair in
            let (driverA, linkA) = try await pair.driver(for: pair.a)
            let (driverB, linkB) = try await pair.driver(for: pair.b)
            let capture = try await driverB.capture(link: linkB, etherType: .arp)
            let other = EthernetFrame(
                destination: .broadcast, source: NamespacePair.macA, etherType: EtherType(rawValue: 0x88B5),
                payload: Array(repeating: 0xAB, count: 46)
            ).encode()

            try await driverA.send(frame: other, link: linkA)
            try await driverA.send(frame: Self.gratuitousRequest, link: linkA)

            #expect(try await capture.next(timeout: .seconds(1)) == Self.gratuitousRequest)
            await capture.close()
        }
    }

    @Test func nextAfterCloseReturnsNil() async throws {
        try await NamespacePair.with(quietA: true) { pair in
            let (driverA, linkA) = try await pair.driver(for: pair.a)
            let (driverB, linkB) = try await pair.driver(for: pair.b)
            let capture = try await driverB.capture(link: linkB, etherType: .arp)
            try await driverA.send(frame: Self.gratuitousRequest, link: linkA)
            try await Task.sleep(for: .milliseconds(50))

            await capture.close()

            #expect(try await capture.next(timeout: .seconds(1)) == nil)
        }
    }

    @Test func anARPProbeForAPeersAddressGetsItsKernelsReply() async throws {
        try await NamespacePair.with(quietA: true) { pair in
            try await pair.ip(pair.b, "addr", "add", "198.51.100.12/24", "dev", "eth0")
            let peerAddress = IPAddress(ipv4: 0xC633_640C)
            let (driver, link) = try await pair.driver(for: pair.a)
            let capture = try await driver.capture(link: link, etherType: .arp)

            let probe = ARPPacket.probe(for: peerAddress, from: NamespacePair.macA)
            try await driver.send(frame: probe.ethernetFrame().encode(), link: link)

            let frame = try #require(try await capture.next(timeout: .seconds(1)))
            let reply = try ARPPacket.decode(EthernetFrame.decode(frame))
            #expect(reply.operation == .reply)
            #expect(reply.senderProtocolAddress == peerAddress)
            #expect(reply.senderHardwareAddress == NamespacePair.macB)
            #expect(reply.targetHardwareAddress == NamespacePair.macA)
            await capture.close()
        }
    }

    @Test func aDuplicateAddressProbeForAPeersAddressGetsItsAdvertisement() async throws {
        try await NamespacePair.with(quietA: true) { pair in
            try await pair.ip(pair.b, "addr", "add", "2001:db8::12/64", "dev", "eth0", "nodad")
            let peerAddress = IPAddress(ipv6: 0x2001_0db8 << 96 | 0x12)
            let (driver, link) = try await pair.driver(for: pair.a)
            let capture = try await driver.capture(link: link, etherType: .ipv6)

            let probe = NeighborDiscoveryPacket.duplicateAddressProbe(for: peerAddress)
            let destination = try #require(MACAddress(ipv6Multicast: probe.destination))
            try await driver.send(frame: probe.ethernetFrame(source: NamespacePair.macA, destination: destination).encode(), link: link)

            // B's kernel also sends its own neighbour discovery and MLD traffic; skip past it.
            let deadline = ContinuousClock.now + .seconds(1)
            var advertisement: NeighborAdvertisement?
            while advertisement == nil, ContinuousClock.now < deadline {
                guard let frame = try await capture.next(timeout: deadline - ContinuousClock.now) else { break }
                guard let packet = try? NeighborDiscoveryPacket.decode(EthernetFrame.decode(frame)),
                    case .advertisement(let candidate) = packet.message, candidate.target == peerAddress
                else { continue }
                #expect(packet.destination == .ipv6AllNodes, "RFC 4861 §7.2.4: the answer to a DAD probe is multicast")
                advertisement = candidate
            }
            let answer = try #require(advertisement)
            #expect(answer.targetLinkLayerAddress == NamespacePair.macB)
            #expect(!answer.isSolicited)
            await capture.close()
        }
    }
}

extension NamespacePair {
    /// A driver for `namespace` and the index of its eth0, resolved through the driver.
    func driver(for namespace: String) async throws -> (LinuxNetworkDriver, Int32) {
        let driver = try LinuxNetworkDriver(networkNamespace: namespace)
        let link = try #require(try await driver.links().first { $0.name == "eth0" })
        return (driver, link.index)
    }
}
