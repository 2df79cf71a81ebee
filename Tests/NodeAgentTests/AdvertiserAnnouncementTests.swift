import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Testing

@testable import NodeAgent

@Suite("Advertiser: announcements", .timeLimit(.minutes(1)))
struct AdvertiserAnnouncementTests: AdvertiserTesting {
    @Test("announces at once, then at the burst offsets, then every period")
    func announcementCadence() async throws {
        try await withAdvertiser(takeOver(vip4)) { harness in
            try await harness.advance(to: .milliseconds(8500))
            let instants: [Duration] = [
                .zero, .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(8),
            ]
            // Each IPv4 announcement is a request and a reply.
            #expect(harness.sendTimes == instants.flatMap { [$0, $0] })
            #expect(harness.metrics.total("kube_vip_arp_announcements_sent_total") == 14)
        }
    }

    @Test("a custom period spaces the steady announcements after the burst")
    func customPeriod() async throws {
        let schedule = AnnouncementSchedule(burst: [.milliseconds(500)], period: .seconds(1))
        try await withAdvertiser(takeOver(vip6), schedule: schedule) { harness in
            try await harness.advance(to: .milliseconds(3600))
            let instants: [Duration] = [
                .zero, .milliseconds(500), .milliseconds(1500), .milliseconds(2500), .milliseconds(3500),
            ]
            #expect(harness.sendTimes == instants)
        }
    }

    @Test("IPv4 announces with a gratuitous ARP request and reply, broadcast from the link's MAC")
    func gratuitousARPBytes() async throws {
        try await withAdvertiser(takeOver(vip4)) { harness in
            let broadcast: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
            let mac: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]
            let vip: [UInt8] = [198, 51, 100, 10]
            let header: [UInt8] = broadcast + mac + [0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04]
            let request = header + [0x00, 0x01] + mac + vip + broadcast + vip
            let reply = header + [0x00, 0x02] + mac + vip + mac + vip
            #expect(harness.sentFrames.map(\.bytes) == [request, reply])
            #expect(harness.sentFrames.allSatisfy { $0.link == testLink.index })
        }
    }

    @Test("IPv6 announces with an unsolicited override advertisement from the link-local address to all nodes")
    func unsolicitedAdvertisement() async throws {
        try await withAdvertiser(takeOver(vip6)) { harness in
            let sent = try #require(harness.sentFrames.first)
            #expect(harness.sentFrames.count == 1)
            let frame = try EthernetFrame.decode(sent.bytes)
            #expect(frame.destination == MACAddress(0x33, 0x33, 0x00, 0x00, 0x00, 0x01))
            #expect(frame.source == ownMAC)
            let packet = try NeighborDiscoveryPacket.decode(frame)
            #expect(packet.source == linkLocal)
            #expect(packet.destination == address("ff02::1"))
            #expect(
                packet.message
                    == .advertisement(
                        NeighborAdvertisement(
                            isSolicited: false, isOverride: true, target: vip6, targetLinkLayerAddress: ownMAC)))
            #expect(harness.metrics.total("kube_vip_ndp_advertisements_sent_total") == 1)
        }
    }

    @Test("IPv6 announces from the address itself when the link has no link-local address")
    func advertisementWithoutLinkLocal() async throws {
        let subnets = testSubnets.filter { $0.address != linkLocal }
        try await withAdvertiser(takeOver(vip6), addresses: subnets) { harness in
            let sent = try #require(harness.sentFrames.first)
            let packet = try NeighborDiscoveryPacket.decode(try EthernetFrame.decode(sent.bytes))
            #expect(packet.source == vip6)
        }
    }

    @Test("the address is added to the link as a host address before the first announcement")
    func addsHostAddress() async throws {
        try await withAdvertiser(takeOver(vip6)) { harness in
            let added = harness.driver.addedAddresses
            #expect(added.map(\.address) == [LinkAddress(link: 2, address: vip6, prefixLength: 128)])
            #expect(added.map(\.time) == [.zero])
            #expect(harness.events == [.held(vip6, link: testLink)])
            #expect(await harness.advertiser.isHeld)
        }
    }

    @Test("an address removed behind its back is added again and announced at once")
    func readdsRemovedAddress() async throws {
        try await withAdvertiser(takeOver(vip4)) { harness in
            try await harness.advance(to: .seconds(10))
            let before = harness.sentFrames.count
            try await harness.removeAddressBehindItsBack(link: testLink.index)
            #expect(harness.driver.addedAddresses.map(\.time) == [.zero, .seconds(10)])
            #expect(harness.driver.currentAddresses.contains { $0.address == vip4 })
            #expect(harness.sentFrames.dropFirst(before).map(\.time) == [.seconds(10), .seconds(10)])
            #expect(harness.events == [.held(vip4, link: testLink), .held(vip4, link: testLink)])
            #expect(harness.metrics.total("kube_vip_address_readds_total") == 1)
            // The steady cadence restarts from the re-add, without a new burst.
            try await harness.advance(to: .milliseconds(13500))
            #expect(harness.sentFrames.dropFirst(before + 2).map(\.time) == [.seconds(13), .seconds(13)])
        }
    }

    @Test("withdraw removes the address, reports released and stops announcing")
    func withdrawRemoves() async throws {
        try await withAdvertiser(takeOver(vip4)) { harness in
            try await harness.advance(to: .seconds(4))
            try await harness.withdraw()
            let removed = harness.driver.removedAddresses.map(\.address)
            #expect(removed == [LinkAddress(link: 2, address: vip4, prefixLength: 32)])
            #expect(harness.driver.removedAddresses.map(\.time) == [.seconds(4)])
            #expect(!harness.driver.currentAddresses.contains { $0.address == vip4 })
            #expect(harness.events.last == .released(vip4))
            #expect(!(await harness.advertiser.isHeld))
            let sent = harness.sentFrames.count
            try await harness.advance(to: .seconds(20))
            #expect(harness.sentFrames.count == sent)
        }
    }

    @Test("cancelling run() removes the address too")
    func cancellationRemoves() async throws {
        try await withAdvertiser(takeOver(vip6)) { harness in
            try await harness.advance(to: .seconds(1))
            try await harness.cancel()
            #expect(harness.driver.removedAddresses.map(\.time) == [.seconds(1)])
            #expect(!harness.driver.currentAddresses.contains { $0.address == vip6 })
            #expect(harness.events.last == .released(vip6))
        }
    }

    @Test("a failing send is reported once and the address stays held")
    func sendFailureReportedOnce() async throws {
        try await withAdvertiser(takeOver(vip4), prepare: { $0.fail(.send, times: nil) }) { harness in
            try await harness.advance(to: .seconds(6))
            #expect(harness.events.count(where: { if case .failed = $0 { true } else { false } }) == 1)
            #expect(await harness.advertiser.isHeld)
            harness.driver.stopFailing(.send)
            try await harness.advance(to: .seconds(8))
            #expect(harness.sendTimes == [.seconds(8), .seconds(8)])
        }
    }
}

@Suite("Announcement timeline")
struct AnnouncementTimelineTests: AdvertiserTesting {
    @Test("burst offsets come in order, then every period after the last one")
    func instants() {
        var timeline = AnnouncementTimeline(
            origin: .seconds(10), burst: [.seconds(2), .milliseconds(500)], period: .seconds(3))
        var instants: [Duration] = []
        for _ in 0..<4 {
            instants.append(timeline.next)
            timeline.advance(past: timeline.next)
        }
        #expect(instants == [.milliseconds(10500), .seconds(12), .seconds(15), .seconds(18)])
    }

    @Test("after a stall, the missed instants are skipped rather than made up one by one")
    func skipsMissedInstants() {
        var timeline = AnnouncementTimeline(origin: .zero, burst: [], period: .seconds(3))
        timeline.advance(past: .seconds(10))
        #expect(timeline.next == .seconds(12))
    }
}
