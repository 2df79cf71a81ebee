import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Testing

@testable import NodeAgent

@Suite("Advertiser: probing for another owner", .timeLimit(.minutes(1)))
struct AdvertiserProbeTests: AdvertiserTesting {
    @Test("a take-over skips the probe: added and announced at once, nothing captured")
    func takeOverSkipsProbe() async throws {
        try await withAdvertiser(takeOver(vip4)) { harness in
            #expect(harness.driver.calls(.capture) == 0)
            #expect(harness.driver.addedAddresses.map(\.time) == [.zero])
            let first = try ARPPacket.decode(try EthernetFrame.decode(try #require(harness.sentFrames.first).bytes))
            #expect(first.isGratuitous)
        }
    }

    @Test("a fresh IPv4 claim sends RFC 5227 probes and adds the address only after the listening window")
    func freshClaimProbesFirst() async throws {
        try await withAdvertiser(fresh(vip4)) { harness in
            #expect(harness.driver.addedAddresses.isEmpty)
            #expect(harness.driver.openCaptures == 1)
            try await harness.advance(to: .milliseconds(300))
            let probe = ARPPacket.probe(for: vip4, from: ownMAC).ethernetFrame().encode()
            let frames = harness.sentFrames
            #expect(frames.prefix(2).map(\.bytes) == [probe, probe])
            #expect(frames.prefix(2).map(\.time) == [.zero, .milliseconds(100)])
            #expect(harness.driver.addedAddresses.map(\.time) == [.milliseconds(300)])
            #expect(frames.dropFirst(2).map(\.time) == [.milliseconds(300), .milliseconds(300)])
            #expect(harness.eventTimes.map(\.0) == [.milliseconds(300)])
            #expect(harness.events == [.held(vip4, link: testLink)])
            #expect(harness.driver.openCaptures == 0)
        }
    }

    @Test("the number of probes and their spacing follow the schedule")
    func probeCountFollowsSchedule() async throws {
        let schedule = AnnouncementSchedule(
            period: .seconds(3), probes: 3, probeInterval: .milliseconds(50), probeWait: .milliseconds(400))
        try await withAdvertiser(fresh(vip4), schedule: schedule) { harness in
            try await harness.advance(to: .seconds(1))
            #expect(harness.sentFrames.prefix(3).map(\.time) == [.zero, .milliseconds(50), .milliseconds(100)])
            #expect(harness.driver.addedAddresses.map(\.time) == [.milliseconds(500)])
        }
    }

    @Test("a fresh IPv6 claim sends duplicate address detection probes to the solicited-node group")
    func freshIPv6ClaimSendsDAD() async throws {
        try await withAdvertiser(fresh(vip6)) { harness in
            let sent = try #require(harness.sentFrames.first)
            let frame = try EthernetFrame.decode(sent.bytes)
            #expect(frame.destination == MACAddress(0x33, 0x33, 0xFF, 0x00, 0x00, 0x10))
            #expect(frame.source == ownMAC)
            #expect(try NeighborDiscoveryPacket.decode(frame) == .duplicateAddressProbe(for: vip6))
            try await harness.advance(to: .milliseconds(300))
            #expect(harness.driver.addedAddresses.map(\.time) == [.milliseconds(300)])
        }
    }

    @Test("an ARP answer from another host: no address, no announcement, one conflict, then taken once it stops")
    func conflictingARPReply() async throws {
        try await withAdvertiser(fresh(vip4), prepare: { $0.addNeighbor(owner(of: vip4, at: foreignMAC)) }) { harness in
            try await harness.advance(to: .seconds(7))
            #expect(harness.events == [.conflict(vip4, owner: foreignMAC, link: testLink)])
            #expect(harness.metrics.total("kube_vip_address_conflicts_total") == 1)
            #expect(harness.driver.addedAddresses.isEmpty)
            #expect(harness.metrics.total("kube_vip_arp_announcements_sent_total") == 0)
            // One probe per round (each answered at once), a round every conflictRetry.
            #expect(harness.sendTimes == [.zero, .seconds(3), .seconds(6)])
            #expect(!(await harness.advertiser.isHeld))

            harness.driver.removeNeighbors()
            try await harness.advance(to: .seconds(10))
            #expect(harness.driver.addedAddresses.map(\.time) == [.milliseconds(9300)])
            #expect(harness.events.dropFirst() == [.held(vip4, link: testLink)])
        }
    }

    @Test("conflictRetry sets how soon it probes again")
    func conflictRetryInterval() async throws {
        let schedule = AnnouncementSchedule(period: .seconds(3), conflictRetry: .seconds(10))
        let neighbor = owner(of: vip4, at: foreignMAC)
        try await withAdvertiser(fresh(vip4), schedule: schedule, prepare: { $0.addNeighbor(neighbor) }) { harness in
            try await harness.advance(to: .seconds(25))
            #expect(harness.sendTimes == [.zero, .seconds(10), .seconds(20)])
        }
    }

    @Test("an IPv6 neighbour advertisement for the address from another host is a conflict")
    func conflictingNeighborAdvertisement() async throws {
        try await withAdvertiser(fresh(vip6), prepare: { $0.addNeighbor(owner(of: vip6, at: foreignMAC)) }) { harness in
            try await harness.advance(to: .seconds(1))
            #expect(harness.events == [.conflict(vip6, owner: foreignMAC, link: testLink)])
            #expect(harness.driver.addedAddresses.isEmpty)
            #expect(harness.metrics.total("kube_vip_ndp_advertisements_sent_total") == 0)
        }
    }

    @Test("another host probing for the same address during our probe is a conflict")
    func competingProbe() async throws {
        try await withAdvertiser(fresh(vip4)) { harness in
            try await harness.advance(to: .milliseconds(150))
            try await harness.deliver(ARPPacket.probe(for: vip4, from: foreignMAC).ethernetFrame().encode(), on: 2)
            #expect(harness.events == [.conflict(vip4, owner: foreignMAC, link: testLink)])
            try await harness.advance(to: .seconds(1))
            #expect(harness.driver.addedAddresses.isEmpty)
        }
    }

    @Test("frames from our own MAC are not a conflict")
    func ownFramesAreNotConflicts() async throws {
        try await withAdvertiser(fresh(vip4)) { harness in
            try await harness.deliver(arpReply(from: ownMAC, claiming: vip4, to: .broadcast), on: 2)
            try await harness.deliver(ARPPacket.probe(for: vip4, from: ownMAC).ethernetFrame().encode(), on: 2)
            try await harness.advance(to: .milliseconds(300))
            #expect(harness.events == [.held(vip4, link: testLink)])
            #expect(harness.driver.addedAddresses.map(\.time) == [.milliseconds(300)])
        }
    }

    @Test("malformed frames are ignored and counted")
    func malformedFramesCounted() async throws {
        try await withAdvertiser(fresh(vip6)) { harness in
            var corrupted = neighborAdvertisement(from: foreignMAC, for: vip6)
            corrupted[corrupted.count - 9] ^= 0xFF  // a target byte: the checksum no longer matches
            try await harness.deliver(corrupted, on: 2)
            try await harness.deliver(Array(neighborAdvertisement(from: foreignMAC, for: vip6).prefix(30)), on: 2)
            try await harness.advance(to: .milliseconds(300))
            #expect(harness.metrics.total("kube_vip_frames_malformed_total") == 2)
            #expect(harness.events == [.held(vip6, link: testLink)])
        }
    }

    @Test("other IPv6 traffic heard while probing is neither a conflict nor malformed")
    func otherIPv6TrafficIgnored() async throws {
        try await withAdvertiser(fresh(vip6)) { harness in
            // An IPv6 header carrying UDP (next header 17).
            var packet: [UInt8] = [0x60, 0, 0, 0, 0, 8, 17, 64]
            packet += address("2001:db8::99").bytes16 + vip6.bytes16 + [0, 1, 0, 2, 0, 8, 0, 0]
            let frame = EthernetFrame(destination: ownMAC, source: foreignMAC, etherType: .ipv6, payload: packet)
            try await harness.deliver(frame.encode(), on: 2)
            try await harness.advance(to: .milliseconds(300))
            #expect(harness.metrics.total("kube_vip_frames_malformed_total") == 0)
            #expect(harness.events == [.held(vip6, link: testLink)])
        }
    }

    @Test("a failing capture is reported and the probe retried after a period")
    func captureFailureRetried() async throws {
        try await withAdvertiser(fresh(vip4), prepare: { $0.fail(.capture) }) { harness in
            #expect(harness.events.count == 1)
            guard case .failed(vip4, _) = try #require(harness.events.first) else {
                Issue.record("expected a failure, got \(harness.events)")
                return
            }
            try await harness.advance(to: .milliseconds(3300))
            #expect(harness.driver.addedAddresses.map(\.time) == [.milliseconds(3300)])
        }
    }
}

@Suite("Probe observations")
struct ProbeObservationTests: AdvertiserTesting {
    private func judge(_ bytes: [UInt8], _ address: IPAddress) -> ProbeObservation {
        ProbeObservation.judge(bytes, probingFor: address, ownHardwareAddress: ownMAC)
    }

    @Test("a gratuitous ARP from another host for the address is a conflict")
    func gratuitousAnnouncement() {
        let frame = ARPPacket.gratuitousRequest(announcing: vip4, at: foreignMAC).ethernetFrame().encode()
        #expect(judge(frame, vip4) == .conflict(owner: foreignMAC))
    }

    @Test("ARP about other addresses is unrelated")
    func otherAddresses() {
        let frame = ARPPacket.gratuitousRequest(announcing: address("198.51.100.11"), at: foreignMAC)
            .ethernetFrame().encode()
        #expect(judge(frame, vip4) == .unrelated)
    }

    @Test("a DAD probe from another host for the address is a conflict")
    func competingDuplicateAddressProbe() {
        let packet = NeighborDiscoveryPacket.duplicateAddressProbe(for: vip6)
        let frame = packet.ethernetFrame(source: foreignMAC, destination: MACAddress(0x33, 0x33, 0xFF, 0, 0, 0x10))
        #expect(judge(frame.encode(), vip6) == .conflict(owner: foreignMAC))
    }

    @Test("an ordinary neighbour solicitation for the address is not a conflict")
    func ordinarySolicitation() {
        let packet = NeighborDiscoveryPacket(
            source: address("2001:db8::99"), destination: .solicitedNodeMulticast(for: vip6),
            message: .solicitation(NeighborSolicitation(target: vip6, sourceLinkLayerAddress: foreignMAC)))
        let frame = packet.ethernetFrame(source: foreignMAC, destination: MACAddress(0x33, 0x33, 0xFF, 0, 0, 0x10))
        #expect(judge(frame.encode(), vip6) == .unrelated)
    }

    @Test("an advertisement naming our own MAC is not a conflict")
    func ownAdvertisement() {
        #expect(judge(neighborAdvertisement(from: ownMAC, for: vip6), vip6) == .unrelated)
    }

    @Test("a frame too short for an Ethernet header is malformed")
    func runt() {
        guard case .malformed = judge([1, 2, 3], vip4) else {
            Issue.record("a 3-byte frame was not judged malformed")
            return
        }
    }
}

extension IPAddress {
    /// The 16 bytes of an IPv6 address, for building packets by hand.
    fileprivate var bytes16: [UInt8] {
        (0..<16).map { UInt8(truncatingIfNeeded: value >> (120 - 8 * $0)) }
    }
}
