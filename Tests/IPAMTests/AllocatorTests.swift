import NetworkAddresses
import Testing

@testable import IPAM

@Suite("Allocation from pools")
struct AllocationTests {
    @Test func firstServiceGetsTheLowestAddress() {
        var allocator = Allocator(["cidr-global": "192.0.2.8/29"])
        #expect(allocator.give("a", "one") == "192.0.2.8")
        #expect(allocator.give("a", "two") == "192.0.2.9")
    }

    @Test func ipv4AddressesEndingInZeroOrTwoFiftyFiveAreNeverHandedOut() {
        var allocator = Allocator(["range-global": "192.0.2.254-192.0.3.1"])
        #expect(allocator.give("a", "one") == "192.0.2.254")
        #expect(allocator.give("a", "two") == "192.0.3.1")
        #expect(allocator.failure("a", "three") == .exhausted(.global, .ipv4))
    }

    @Test func descendingSearchOrderStartsAtTheTop() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24", "search-order": "desc"])
        #expect(allocator.give("a", "one") == "192.0.2.254")
        #expect(allocator.give("a", "two") == "192.0.2.253")
    }

    @Test func skipEndAddressesLeavesNetworkAndBroadcastOfEachCIDRFree() {
        var allocator = Allocator(["cidr-global": "192.0.2.8/30", "skip-end-ips-in-cidr": "true"])
        #expect(allocator.give("a", "one") == "192.0.2.9")
        #expect(allocator.give("a", "two") == "192.0.2.10")
        #expect(allocator.failure("a", "three") == .exhausted(.global, .ipv4))
    }

    @Test func namespacePoolIsUsedBeforeTheGlobalPool() {
        var allocator = Allocator(["cidr-team": "192.0.2.16/30", "cidr-global": "198.51.100.0/24"])
        #expect(allocator.give("team", "one") == "192.0.2.16")
        #expect(allocator.give("other", "one") == "198.51.100.1")
    }

    @Test func namespaceWithAnExhaustedPoolDoesNotFallBackToGlobal() {
        var allocator = Allocator(["range-team": "192.0.2.16", "cidr-global": "198.51.100.0/24"])
        allocator.give("team", "one")
        #expect(allocator.failure("team", "two") == .exhausted(.namespace("team"), .ipv4))
    }

    @Test func noPoolAtAllIsReported() {
        let allocator = Allocator(["cidr-team": "192.0.2.16/30"])
        #expect(allocator.failure("other", "one") == .noPool(namespace: "other"))
    }

    @Test func allocatingAgainReturnsTheSameAddress() {
        var allocator = Allocator(["cidr-global": "192.0.2.8/29"])
        let first = allocator.give("a", "one")
        #expect(allocator.give("a", "one") == first)
        #expect(allocator.heldAddressCount == 1)
    }

    @Test func largePoolsCostNoMoreMemoryThanSmallOnes() {
        var allocator = Allocator(["cidr-global": "10.0.0.0/8,2001:db8::/64"])
        for index in 0..<1000 {
            allocator.give("a", "v4-\(index)")
            allocator.give("a", "v6-\(index)", families: [.ipv6])
        }
        #expect(allocator.freeIntervals(.global, .ipv4).count == 1)
        #expect(allocator.freeIntervals(.global, .ipv6).count == 1)
        #expect(allocator.give("a", "next", families: [.ipv6]) == "2001:db8::3e9")
    }

    @Test func dhcpPoolGivesEveryServiceTheUnspecifiedAddress() {
        var allocator = Allocator(["cidr-home": "0.0.0.0/32"])
        #expect(allocator.give("home", "one") == "0.0.0.0")
        #expect(allocator.give("home", "two") == "0.0.0.0")
        #expect(allocator.assignment(for: key("home", "two"))?.origin == .dhcp)
    }
}

@Suite("Dual stack")
struct DualStackTests {
    static let pools = ["cidr-global": "192.0.2.0/24,2001:db8::/64"]

    @Test func singleStackWithoutFamiliesPrefersIPv4() {
        var allocator = Allocator(Self.pools)
        #expect(allocator.give("a", "one") == "192.0.2.1")
    }

    @Test func subnetRouterAnycastAddressOfAnIPv6PrefixIsNeverHandedOut() {
        var allocator = Allocator(["cidr-global": "2001:db8::/64", "range-x": "2001:db8:1:0:ffff:ffff:ffff:ffff-2001:db8:1:1::1"])
        #expect(allocator.give("a", "one") == "2001:db8::1")
        #expect(allocator.give("x", "one") == "2001:db8:1:0:ffff:ffff:ffff:ffff")
        #expect(allocator.give("x", "two") == "2001:db8:1:1::1")
    }

    @Test func singleStackWithoutFamiliesUsesIPv6WhenThatIsAllThereIs() {
        var allocator = Allocator(["cidr-global": "2001:db8::/64"])
        #expect(allocator.give("a", "one") == "2001:db8::1")
    }

    @Test func singleStackFollowsItsFamily() {
        var allocator = Allocator(Self.pools)
        #expect(allocator.give("a", "one", families: [.ipv6]) == "2001:db8::1")
    }

    @Test func dualStackListsThePrimaryFamilyFirst() {
        var allocator = Allocator(Self.pools)
        #expect(allocator.give("a", "one", policy: .requireDualStack, families: [.ipv6, .ipv4]) == "2001:db8::1,192.0.2.1")
        #expect(allocator.give("a", "two", policy: .preferDualStack) == "192.0.2.2,2001:db8::2")
    }

    @Test func requireDualStackFailsWithoutBothFamiliesAndTakesNothing() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        #expect(allocator.give("a", "one", policy: .requireDualStack) == "failed: the global pool has no IPv6 addresses")
        #expect(allocator.heldAddressCount == 0)
    }

    @Test func preferDualStackSettlesForOneFamily() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        #expect(allocator.give("a", "one", policy: .preferDualStack) == "192.0.2.1")
    }

    @Test func preferDualStackGetsItsMissingFamilyOnceThePoolHasIt() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        allocator.give("a", "one", policy: .preferDualStack)
        _ = allocator.reconfigure(PoolConfiguration(data: Self.pools))
        #expect(allocator.give("a", "one", policy: .preferDualStack) == "192.0.2.1,2001:db8::1")
    }

    @Test func goingBackToSingleStackReleasesTheSecondFamily() {
        var allocator = Allocator(Self.pools)
        allocator.give("a", "one", policy: .requireDualStack)
        #expect(allocator.give("a", "one") == "192.0.2.1")
        #expect(allocator.give("a", "two", families: [.ipv6]) == "2001:db8::1")
    }
}

@Suite("Uniqueness")
struct UniquenessTests {
    @Test func overlappingNamespacePoolsNeverHandOutOneAddressTwice() {
        var allocator = Allocator([
            "cidr-a": "192.0.2.0/29", "range-b": "192.0.2.4-192.0.2.11", "cidr-global": "192.0.2.0/28",
        ])
        var seen: [String: String] = [:]
        for index in 0..<4 {
            for namespace in ["a", "b", "c"] {
                let result = allocator.give(namespace, "s\(index)")
                guard !result.hasPrefix("failed") else { continue }
                #expect(seen[result] == nil, "\(result) handed to \(namespace) and \(seen[result] ?? "")")
                seen[result] = namespace
            }
        }
        #expect(seen.count == 11)
        #expect(allocator.failure("a", "s3") == .exhausted(.namespace("a"), .ipv4))
    }

    @Test func requestedAddressIsHonouredOutsideEveryPool() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        #expect(allocator.give("a", "one", requesting: ["203.0.113.7"]) == "203.0.113.7")
        #expect(allocator.assignment(for: key("a", "one"))?.origin == .requested)
    }

    @Test func requestedAddressIsNoLongerFreeInThePool() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/30"])
        allocator.give("a", "static", requesting: ["192.0.2.1"])
        #expect(allocator.give("a", "dynamic") == "192.0.2.2")
    }

    @Test func requestForAnotherServicesAddressIsRefusedWithAReason() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        allocator.give("a", "first")
        #expect(
            allocator.failure("b", "second", requesting: ["192.0.2.1"])
                == .addressInUse(address("192.0.2.1"), holders: [key("a", "first")], .requesterMayNotShare))
        #expect(allocator.holders(of: address("192.0.2.1")) == [key("a", "first")])
    }

    @Test func changingTheRequestedAddressMovesTheServiceOnlyWhenTheNewOneIsFree() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        allocator.give("a", "one", requesting: ["192.0.2.10"])
        allocator.give("a", "two", requesting: ["192.0.2.20"])
        #expect(allocator.give("a", "one", requesting: ["192.0.2.20"]).hasPrefix("failed"))
        #expect(allocator.assignment(for: key("a", "one"))?.annotationValue == "192.0.2.10")
        #expect(allocator.give("a", "one", requesting: ["192.0.2.30"]) == "192.0.2.30")
        #expect(allocator.holders(of: address("192.0.2.10")).isEmpty)
    }
}

@Suite("Sharing")
struct SharingTests {
    static let shared = ["cidr-global": "192.0.2.0/24", "allow-share-global": "true"]

    @Test func servicesWithDisjointPortsPackOntoOneAddress() {
        var allocator = Allocator(Self.shared)
        #expect(allocator.give("a", "web", ports: [tcp(80)]) == "192.0.2.1")
        #expect(allocator.give("b", "tls", ports: [tcp(443)]) == "192.0.2.1")
        #expect(allocator.give("a", "web2", ports: [tcp(80)]) == "192.0.2.2")
    }

    @Test func tcpAndUDPOnTheSamePortShare() {
        var allocator = Allocator(Self.shared)
        allocator.give("a", "dns-tcp", ports: [tcp(53)])
        #expect(allocator.give("a", "dns-udp", ports: [udp(53)]) == "192.0.2.1")
    }

    @Test func requestedSharedAddressWithOverlappingPortsIsRefused() {
        var allocator = Allocator(Self.shared)
        allocator.give("a", "web", ports: [tcp(80), tcp(443)])
        #expect(
            allocator.failure("a", "other", ports: [tcp(443), udp(443)], requesting: ["192.0.2.1"])
                == .addressInUse(address("192.0.2.1"), holders: [key("a", "web")], .portsInUse([tcp(443)])))
        #expect(allocator.give("a", "other", ports: [udp(443)], requesting: ["192.0.2.1"]) == "192.0.2.1")
    }

    @Test func holderWhoseNamespaceDoesNotShareKeepsItsAddressToItself() {
        var allocator = Allocator([
            "cidr-global": "192.0.2.0/24", "allow-share-global": "true", "allow-share-private": "false",
        ])
        allocator.give("private", "db", ports: [tcp(5432)])
        #expect(allocator.give("a", "web", ports: [tcp(80)]) == "192.0.2.2")
        #expect(
            allocator.failure("a", "x", ports: [tcp(81)], requesting: ["192.0.2.1"])
                == .addressInUse(address("192.0.2.1"), holders: [key("private", "db")], .holderMayNotShare(key("private", "db"))))
    }

    @Test func serviceWithoutPortsNeverShares() {
        var allocator = Allocator(Self.shared)
        allocator.give("a", "portless", ports: [])
        #expect(allocator.give("a", "web", ports: [tcp(80)]) == "192.0.2.2")
        #expect(allocator.give("a", "portless2", ports: []) == "192.0.2.3")
    }

    @Test func ipv6AddressesAreNeverShared() {
        var allocator = Allocator(["cidr-global": "2001:db8::/64", "allow-share-global": "true"])
        allocator.give("a", "one", ports: [tcp(80)])
        #expect(allocator.give("a", "two", ports: [tcp(443)]) == "2001:db8::2")
        #expect(
            allocator.failure("a", "three", ports: [tcp(22)], requesting: ["2001:db8::1"])
                == .addressInUse(address("2001:db8::1"), holders: [key("a", "one")], .ipv6))
    }

    @Test func sharedAddressIsFreedOnlyWhenItsLastHolderLeaves() {
        var allocator = Allocator(Self.shared)
        allocator.give("a", "web", ports: [tcp(80)])
        allocator.give("a", "tls", ports: [tcp(443)])
        allocator.release(key("a", "web"))
        #expect(allocator.holders(of: address("192.0.2.1")) == [key("a", "tls")])
        #expect(allocator.give("a", "web2", ports: [tcp(80)]) == "192.0.2.1")
        allocator.release(key("a", "tls"))
        allocator.release(key("a", "web2"))
        #expect(allocator.heldAddressCount == 0)
        #expect(allocator.freeIntervals(.global, .ipv4).count == 1)
    }

    @Test func changingPortsToOnesAPartnerUsesIsRefusedAndKeepsTheOldPorts() {
        var allocator = Allocator(Self.shared)
        allocator.give("a", "web", ports: [tcp(80)])
        allocator.give("a", "tls", ports: [tcp(443)])
        #expect(allocator.give("a", "tls", ports: [tcp(80)]).hasPrefix("failed"))
        #expect(allocator.assignment(for: key("a", "tls"))?.ports == [tcp(443)])
        #expect(allocator.give("a", "tls", ports: [tcp(8443)]) == "192.0.2.1")
    }
}

@Suite("Stability")
struct StabilityTests {
    @Test func releasingOneServiceMovesNoOther() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        for index in 0..<10 { allocator.give("a", "s\(index)") }
        let before = allocator.allAssignments
        allocator.release(key("a", "s3"))
        #expect(allocator.allAssignments == before.filter { $0.service != key("a", "s3") })
        #expect(allocator.give("a", "new") == "192.0.2.11")  // .4 is held back for s3
    }

    @Test func shrinkingThePoolKeepsAddressesAndReportsTheOnesOutside() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        for index in 0..<4 { allocator.give("a", "s\(index)") }
        let drift = allocator.reconfigure(PoolConfiguration(data: ["cidr-global": "192.0.2.0/30"]))
        #expect(drift.map(\.address) == [address("192.0.2.4")])
        #expect(allocator.assignment(for: key("a", "s3"))?.annotationValue == "192.0.2.4")
        #expect(allocator.failure("a", "new") == .exhausted(.global, .ipv4))
    }

    @Test func growingThePoolMovesNobody() {
        var allocator = Allocator(["cidr-global": "192.0.2.128/25"])
        for index in 0..<4 { allocator.give("a", "s\(index)") }
        let before = allocator.allAssignments
        #expect(allocator.reconfigure(PoolConfiguration(data: ["cidr-global": "192.0.2.0/24"])).isEmpty)
        #expect(allocator.allAssignments == before)
        #expect(allocator.give("a", "new") == "192.0.2.1")
    }

    @Test func addingANamespacePoolReportsButKeepsItsGlobalAddresses() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        allocator.give("team", "one")
        let drift = allocator.reconfigure(
            PoolConfiguration(data: ["cidr-global": "192.0.2.0/24", "cidr-team": "198.51.100.0/24"]))
        #expect(drift == [PoolDrift(service: key("team", "one"), address: address("192.0.2.1"), scope: .namespace("team"))])
        #expect(allocator.give("team", "one") == "192.0.2.1")
        #expect(allocator.give("team", "two") == "198.51.100.1")
    }

    @Test func removingEveryPoolKeepsAddresses() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        allocator.give("a", "one")
        let drift = allocator.reconfigure(PoolConfiguration(data: [:]))
        #expect(drift.map(\.scope) == [nil])
        #expect(allocator.give("a", "one") == "192.0.2.1")
    }
}

@Suite("Stickiness")
struct StickinessTests {
    @Test func recreatedServiceGetsItsPreviousAddressBack() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        allocator.give("a", "one")
        allocator.give("a", "two")
        allocator.release(key("a", "one"))
        #expect(allocator.give("a", "two-b") == "192.0.2.3")
        #expect(allocator.give("a", "one") == "192.0.2.1")
    }

    @Test("a Service asking for a fresh address does not get the one it just released")
    func freshAddressSkipsTheReleasedOne() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        allocator.give("a", "one")
        allocator.release(key("a", "one"))
        let fresh = allocator.allocate(AddressRequest(service: key("a", "one"), freshAddress: true))
        #expect((try? fresh.get())?.annotationValue == "192.0.2.2")
        // The address it gave up is an ordinary free address again, not held back for it.
        #expect(allocator.give("a", "other") == "192.0.2.1")
    }

    @Test func newServicesTakeAHeldBackAddressOnlyWhenNothingElseIsFree() {
        var allocator = Allocator(["range-global": "192.0.2.1-192.0.2.3"])
        allocator.give("a", "one")
        allocator.give("a", "two")
        allocator.release(key("a", "two"))
        allocator.release(key("a", "one"))
        #expect(allocator.give("a", "x") == "192.0.2.3")
        #expect(allocator.give("a", "y") == "192.0.2.2")
        #expect(allocator.give("a", "z") == "192.0.2.1")
    }

    @Test func returningServiceWhoseAddressWasTakenGetsTheLowestFree() {
        var allocator = Allocator(["range-global": "192.0.2.1-192.0.2.3"])
        allocator.give("a", "one")
        allocator.release(key("a", "one"))
        allocator.give("a", "x", requesting: ["192.0.2.1"])
        #expect(allocator.give("a", "one") == "192.0.2.2")
    }

    @Test func memoryOfReleasesIsBounded() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"], recent: 2)
        for index in 0..<3 { allocator.give("a", "s\(index)") }
        for index in 0..<3 { allocator.release(key("a", "s\(index)")) }
        #expect(allocator.recent.count == 2)
        #expect(allocator.give("a", "new") == "192.0.2.1")
        #expect(allocator.give("a", "s2") == "192.0.2.3")
        #expect(allocator.give("a", "s0") == "192.0.2.4")
    }

    @Test func returningWithoutItsOldFamilyFreesTheHeldBackAddress() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24,2001:db8::/64"])
        allocator.give("a", "one")
        allocator.release(key("a", "one"))
        #expect(allocator.give("a", "one", families: [.ipv6]) == "2001:db8::1")
        #expect(allocator.give("a", "two") == "192.0.2.1")
    }

    @Test func previousAddressOutsideTheCurrentPoolIsNotReused() {
        var allocator = Allocator(["cidr-global": "192.0.2.0/24"])
        allocator.give("a", "one")
        allocator.release(key("a", "one"))
        _ = allocator.reconfigure(PoolConfiguration(data: ["cidr-global": "198.51.100.0/24"]))
        #expect(allocator.give("a", "one") == "198.51.100.1")
    }
}

@Suite("Restore")
struct RestoreTests {
    @Test func restoringFromAssignmentsReproducesTheState() {
        let data = ["cidr-global": "192.0.2.0/24", "allow-share-global": "true"]
        var original = Allocator(data)
        original.give("a", "one", ports: [tcp(80)])
        original.give("a", "two", ports: [tcp(443)])
        original.give("a", "three", ports: [tcp(80)], requesting: ["203.0.113.5"])
        original.give("a", "four", ports: [tcp(80)])
        let records = original.allAssignments.enumerated().map { index, assignment in
            ExistingAssignment(
                service: assignment.service, addresses: assignment.addresses, ports: assignment.ports,
                requested: assignment.origin == .requested, created: Int64(index))
        }
        var (restored, conflicts) = Allocator.restore(configuration: PoolConfiguration(data: data), from: records)
        #expect(conflicts.isEmpty)
        #expect(restored.allAssignments == original.allAssignments)
        #expect(restored.freeIntervals(.global, .ipv4) == original.freeIntervals(.global, .ipv4))
        #expect(restored.sharedEntries(.global).map(\.address) == original.sharedEntries(.global).map(\.address))
        #expect(restored.give("a", "five", ports: [tcp(80)]) == original.give("a", "five", ports: [tcp(80)]))
    }

    @Test func earlierClaimWinsAConflictAndTheLaterIsReported() {
        let records = [
            ExistingAssignment(service: key("b", "late"), addresses: [address("192.0.2.9")], ports: [tcp(80)], requested: false, created: 20),
            ExistingAssignment(service: key("a", "early"), addresses: [address("192.0.2.9")], ports: [tcp(80)], requested: false, created: 10),
        ]
        let (allocator, conflicts) = Allocator.restore(configuration: PoolConfiguration(data: ["cidr-global": "192.0.2.0/24"]), from: records)
        #expect(allocator.holders(of: address("192.0.2.9")) == [key("a", "early")])
        #expect(allocator.assignment(for: key("b", "late")) == nil)
        #expect(conflicts == [RestoreConflict(address: address("192.0.2.9"), kept: [key("a", "early")], rejected: key("b", "late"), reason: .portsInUse([tcp(80)]))])
    }

    @Test func loserOfAConflictKeepsItsOtherFamily() {
        let records = [
            ExistingAssignment(service: key("a", "early"), addresses: [address("192.0.2.9")], ports: [], requested: false, created: 1),
            ExistingAssignment(service: key("a", "late"), addresses: [address("192.0.2.9"), address("2001:db8::9")], ports: [], requested: false, created: 2),
        ]
        let (allocator, conflicts) = Allocator.restore(configuration: PoolConfiguration(data: ["cidr-global": "192.0.2.0/24,2001:db8::/64"]), from: records)
        #expect(conflicts.count == 1)
        #expect(allocator.assignment(for: key("a", "late"))?.annotationValue == "2001:db8::9")
    }

    @Test func sharersStayTogetherAfterSharingWasSwitchedOff() {
        let records = [
            ExistingAssignment(service: key("a", "web"), addresses: [address("192.0.2.9")], ports: [tcp(80)], requested: false, created: 1),
            ExistingAssignment(service: key("b", "tls"), addresses: [address("192.0.2.9")], ports: [tcp(443)], requested: false, created: 2),
        ]
        var (allocator, conflicts) = Allocator.restore(configuration: PoolConfiguration(data: ["cidr-global": "192.0.2.0/24"]), from: records)
        #expect(conflicts.isEmpty)
        #expect(allocator.holders(of: address("192.0.2.9")).count == 2)
        #expect(allocator.failure("c", "x", ports: [tcp(22)], requesting: ["192.0.2.9"]) != nil)
        #expect(allocator.give("c", "x", ports: [tcp(22)]) == "192.0.2.1")
    }

    @Test func sharersWithDisjointPortsRestoreWithoutConflict() {
        let data = ["cidr-global": "192.0.2.0/24", "allow-share-global": "true"]
        let records = [
            ExistingAssignment(service: key("a", "dns-tcp"), addresses: [address("192.0.2.9")], ports: [tcp(53)], requested: false, created: 1),
            ExistingAssignment(service: key("a", "dns-udp"), addresses: [address("192.0.2.9")], ports: [udp(53)], requested: false, created: 2),
        ]
        let (allocator, conflicts) = Allocator.restore(configuration: PoolConfiguration(data: data), from: records)
        #expect(conflicts.isEmpty)
        #expect(allocator.holders(of: address("192.0.2.9")).count == 2)
    }
}
