import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Testing

@testable import NodeAgent

@Suite("Advertiser: links and driver failures", .timeLimit(.minutes(1)))
struct AdvertiserLinkTests: AdvertiserTesting {
    @Test("a missing named link is reported once, retried every period, and used once it appears")
    func namedLinkAppears() async throws {
        try await withAdvertiser(takeOver(vip4), links: [otherLink]) { harness in
            #expect(harness.events == [.noLink(vip4, reason: "there is no link named eth0")])
            try await harness.advance(to: .seconds(7))
            #expect(harness.events.count == 1)
            #expect(harness.sentFrames.isEmpty)
            #expect(harness.driver.calls(.links) == 3)

            harness.driver.setLink(testLink)
            try await harness.advance(to: .seconds(9))
            #expect(harness.driver.addedAddresses.map(\.time) == [.seconds(9)])
            #expect(harness.events.last == .held(vip4, link: testLink))
        }
    }

    @Test("a named link that is down is reported as such")
    func namedLinkDown() async throws {
        try await withAdvertiser(takeOver(vip4), links: [.ethernet(2, "eth0", ownMAC, isUp: false)]) { harness in
            #expect(harness.events == [.noLink(vip4, reason: "link eth0 is down")])
            #expect(harness.driver.addedAddresses.isEmpty)
        }
    }

    @Test("auto picks the link whose subnet contains the address")
    func autoPicksSubnet() async throws {
        let addresses = [
            LinkAddress(link: 3, address: address("203.0.113.2"), prefixLength: 24),
            LinkAddress(link: 2, address: address("198.51.100.2"), prefixLength: 24),
        ]
        let claim = takeOver(vip4, on: .auto)
        try await withAdvertiser(claim, links: [otherLink, testLink], addresses: addresses) { harness in
            #expect(harness.driver.addedAddresses.map(\.address.link) == [2])
            #expect(harness.sentFrames.map(\.link) == [2, 2])
            #expect(harness.events == [.held(vip4, link: testLink)])
        }
    }

    @Test("auto reports noLink when no subnet contains the address")
    func autoWithoutSubnet() async throws {
        let addresses = [LinkAddress(link: 3, address: address("203.0.113.2"), prefixLength: 24)]
        try await withAdvertiser(takeOver(vip4, on: .auto), links: [otherLink], addresses: addresses) { harness in
            #expect(harness.events == [.noLink(vip4, reason: "no link has a subnet containing 198.51.100.10")])
        }
    }

    @Test("a failed add is reported and retried after a period")
    func addFailureRetried() async throws {
        try await withAdvertiser(takeOver(vip4), prepare: { $0.fail(.addAddress) }) { harness in
            guard case .failed(vip4, let reason) = try #require(harness.events.first) else {
                Issue.record("expected a failure, got \(harness.events)")
                return
            }
            #expect(reason.contains("adding the address"))
            #expect(harness.sentFrames.isEmpty)
            #expect(!(await harness.advertiser.isHeld))
            try await harness.advance(to: .seconds(3))
            #expect(harness.driver.addedAddresses.map(\.time) == [.seconds(3)])
            #expect(harness.events.last == .held(vip4, link: testLink))
        }
    }

    @Test("a failed re-add drops the address and tries again after a period, without probing")
    func readdFailureRetried() async throws {
        try await withAdvertiser(fresh(vip4)) { harness in
            try await harness.advance(to: .seconds(1))
            harness.driver.fail(.addAddress)
            try await harness.removeAddressBehindItsBack(link: testLink.index)
            #expect(!(await harness.advertiser.isHeld))
            try await harness.advance(to: .seconds(5))
            #expect(harness.driver.addedAddresses.map(\.time) == [.milliseconds(300), .seconds(4)])
            #expect(harness.driver.calls(.capture) == 1)
            #expect(await harness.advertiser.isHeld)
        }
    }
}

@Suite("Link selection")
struct LinkSelectionTests: AdvertiserTesting {
    private func select(_ choice: InterfaceChoice, _ vip: IPAddress, _ links: [NetworkLink], _ addresses: [LinkAddress])
        -> Result<SelectedLink, LinkUnavailable>
    {
        LinkSelection.select(choice, for: vip, links: links, addresses: addresses)
    }

    @Test("a named link without an Ethernet address is refused")
    func namedWithoutMAC() {
        let tunnel = NetworkLink(index: 4, name: "tun0", hardwareAddress: nil, isUp: true, isLoopback: false)
        let refusal = LinkUnavailable(reason: "link tun0 has no Ethernet address")
        #expect(select(.named("tun0"), vip4, [tunnel], []) == .failure(refusal))
    }

    @Test("auto ignores host addresses, including the VIP itself on another link")
    func autoIgnoresHostAddresses() {
        let addresses = [
            LinkAddress(link: 3, address: vip4, prefixLength: 32),
            LinkAddress(link: 2, address: address("198.51.100.2"), prefixLength: 24),
        ]
        #expect(select(.auto, vip4, [otherLink, testLink], addresses).map(\.link) == .success(testLink))
    }

    @Test("auto ignores IPv6 link-local prefixes")
    func autoIgnoresLinkLocal() {
        let addresses = [LinkAddress(link: 2, address: linkLocal, prefixLength: 64)]
        let linkLocalVIP = address("fe80::10")
        #expect(select(.auto, linkLocalVIP, [testLink], addresses).map(\.link) != .success(testLink))
    }

    @Test("auto prefers the most specific subnet")
    func autoMostSpecific() {
        let addresses = [
            LinkAddress(link: 2, address: address("198.51.100.2"), prefixLength: 24),
            LinkAddress(link: 3, address: address("198.51.100.9"), prefixLength: 29),
        ]
        #expect(select(.auto, vip4, [testLink, otherLink], addresses).map(\.link) == .success(otherLink))
    }

    @Test("auto matches the address family")
    func autoFamily() {
        #expect(select(.auto, vip6, [testLink], testSubnets).map(\.link) == .success(testLink))
        #expect(select(.auto, vip6, [testLink], [testSubnets[0]]).map(\.link) != .success(testLink))
    }
}
