import KubeVipConventions
import KubernetesModels
import LeaderElection
import NetworkAddresses
import NetworkFrames
import Testing

@testable import NodeAgent

private typealias F = AgentFixtures

private let allow = [KubeVipKeys.allowWithoutEndpoints: "true"]
private let server = F.ip("198.51.100.2")

private func dhcpService(
    _ name: String, created: Int = 0, annotations: [String: String] = [:], ingress: [String] = []
) -> KubernetesService {
    F.service(name, addresses: "0.0.0.0", created: created, annotations: allow.merging(annotations) { $1 }, ingress: ingress)
}

extension ReconcilerDriver {
    /// The global Lease's holder, with both watches synced.
    static func dhcpLeader() -> ReconcilerDriver {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        return agent
    }

    /// The lease keeper of `macvlan` reports `address` leased.
    mutating func leased(_ address: String, on macvlan: String = "vip-uid-web") {
        apply(.dhcp(.bound(name: macvlan, address: AgentFixtures.ip(address), server: server, leaseTime: .seconds(120))))
    }
}

@Suite("Node agent decisions: DHCP mode")
struct DHCPDecisionTests {
    @Test func aServiceAskingForZeroIsServedByADHCPClientOnAMacvlanNamedAfterItsUID() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web"))
        #expect(agent.claimed.isEmpty, "no address until the server leases one")
        #expect(agent.dhcpStarts.map(\.name) == ["vip-uid-web"])
        #expect(agent.events(reason: "UnsupportedAddress").isEmpty)
    }

    @Test func theMacvlanNameAndMACComeFromTheAnnotations() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web", annotations: [KubeVipKeys.macvlanName: "lan-web", KubeVipKeys.hardwareAddress: "02:00:5e:10:00:01"]))
        let claim = agent.dhcpStarts.first
        #expect(claim?.name == "lan-web")
        #expect(claim?.hardwareAddress == MACAddress(2, 0, 0x5e, 0x10, 0, 1))
    }

    @Test func withoutAnAnnotatedMACEveryNodeDerivesTheSameLocallyAdministeredOne() {
        let first = DHCPRequest.generatedHardwareAddress(uid: "6f1c2d9a-0000-4000-8000-000000000001")
        let again = DHCPRequest.generatedHardwareAddress(uid: "6f1c2d9a-0000-4000-8000-000000000001")
        let other = DHCPRequest.generatedHardwareAddress(uid: "6f1c2d9a-0000-4000-8000-000000000002")
        #expect(first == again)
        #expect(first != other)
        #expect(first.bytes[0] & 0x02 == 0x02, "locally administered")
        #expect(!first.isMulticast)
    }

    @Test func theRememberedAddressMakesTheClientAskForItAgain() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web", annotations: [KubeVipKeys.requestedIP: "198.51.100.50"]))
        #expect(agent.dhcpStarts.first?.rememberedAddress == F.ip("198.51.100.50"))
    }

    @Test func aFollowerRunsNoClient() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.add(dhcpService("web"))
        #expect(agent.dhcpStarts.isEmpty)
    }

    @Test func theLeasedAddressIsClaimedOnTheMacvlanWithoutAnotherProbe() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web"))
        _ = agent.take()
        agent.leased("198.51.100.50")
        #expect(agent.claims == [AddressClaim(address: F.ip("198.51.100.50"), interface: .named("vip-uid-web"), takeOver: true)])
        #expect(agent.events(reason: "DHCPLeaseObtained").count == 1)
    }

    @Test func onceHeldTheStatusShowsTheLeaseAndTheAnnotationsRememberIt() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web"))
        agent.leased("198.51.100.50")
        _ = agent.take()
        agent.held("198.51.100.50")
        let writes = agent.statusWrites
        #expect(writes.count == 1)
        #expect(writes.first?.1?.map(\.ip) == ["198.51.100.50"])
        let annotations = agent.annotationWrites.first?.1 ?? [:]
        #expect(annotations[KubeVipKeys.vipHost] == "node1")
        #expect(annotations[KubeVipKeys.requestedIP] == "198.51.100.50")
        #expect(annotations[KubeVipKeys.hardwareAddress] == DHCPRequest.generatedHardwareAddress(uid: "uid-web").description)
    }

    @Test func writingTheLeaseBackDoesNotRestartTheClient() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web"))
        agent.leased("198.51.100.50")
        agent.held("198.51.100.50")
        _ = agent.take()
        let mac = DHCPRequest.generatedHardwareAddress(uid: "uid-web").description
        agent.update(
            dhcpService(
                "web",
                annotations: [
                    KubeVipKeys.requestedIP: "198.51.100.50", KubeVipKeys.hardwareAddress: mac,
                    KubeVipKeys.vipHost: "node1",
                ], ingress: ["198.51.100.50"]))
        #expect(agent.dhcpStarts.isEmpty)
        #expect(agent.dhcpStops.isEmpty)
        #expect(agent.withdrawn.isEmpty)
        #expect(agent.statusWrites.isEmpty, "everything is written already")
    }

    @Test func aRenewalWithTheSameAddressChangesNothing() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web"))
        agent.leased("198.51.100.50")
        _ = agent.take()
        agent.leased("198.51.100.50")
        #expect(agent.take().isEmpty)
    }

    @Test func aNewAddressOnRenewalMovesTheVIPAndTheStatus() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web"))
        agent.leased("198.51.100.50")
        agent.held("198.51.100.50")
        _ = agent.take()
        agent.leased("198.51.100.51")
        #expect(agent.withdrawn == [F.ip("198.51.100.50")])
        #expect(agent.claimed == [F.ip("198.51.100.51")])
        #expect(agent.events(reason: "DHCPAddressChanged").count == 1)
        agent.held("198.51.100.51")
        #expect(agent.statusWrites.last?.1?.map(\.ip) == ["198.51.100.51"])
        #expect(agent.annotationWrites.last?.1[KubeVipKeys.requestedIP] == "198.51.100.51")
    }

    @Test func aLostLeaseWithdrawsTheAddressAndWarns() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web"))
        agent.leased("198.51.100.50")
        _ = agent.take()
        agent.apply(.dhcp(.lost(name: "vip-uid-web", address: F.ip("198.51.100.50"), reason: "lease expired")))
        #expect(agent.withdrawn == [F.ip("198.51.100.50")])
        #expect(agent.events(reason: "DHCPLeaseLost").count == 1)
        #expect(agent.dhcpStops.isEmpty, "the client goes on asking")
    }

    @Test func deletingTheServiceWithdrawsTheAddressThenStopsTheClient() {
        var agent = ReconcilerDriver.dhcpLeader()
        let service = dhcpService("web")
        agent.add(service)
        agent.leased("198.51.100.50")
        _ = agent.take()
        agent.delete(service)
        let actions = agent.take()
        #expect(actions == [.withdraw(F.ip("198.51.100.50")), .stopDHCP(name: "vip-uid-web")])
    }

    @Test func losingLeadershipStopsTheClientSoItReleasesTheLease() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web"))
        agent.leased("198.51.100.50")
        _ = agent.take()
        agent.follow(holder: "node2")
        #expect(agent.withdrawn == [F.ip("198.51.100.50")])
        #expect(agent.dhcpStops == ["vip-uid-web"])
    }

    @Test func perServiceElectionRunsTheClientOnlyUnderTheServicesLease() {
        var agent = ReconcilerDriver.perService()
        agent.synced()
        agent.add(dhcpService("web"))
        let lease = LeaseName(namespace: "default", name: "kubevip-web")
        #expect(agent.campaigns == [lease])
        #expect(agent.dhcpStarts.isEmpty)
        agent.lead(lease)
        #expect(agent.dhcpStarts.map(\.name) == ["vip-uid-web"])
    }

    @Test func servicesNamingTheSameMacvlanShareOneClientAndOneAddress() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("a", created: 1, annotations: [KubeVipKeys.macvlanName: "shared"]))
        agent.add(dhcpService("b", created: 2, annotations: [KubeVipKeys.macvlanName: "shared"]))
        #expect(agent.dhcpStarts.map(\.name) == ["shared"])
        agent.leased("198.51.100.50", on: "shared")
        _ = agent.take()
        agent.held("198.51.100.50")
        #expect(Set(agent.statusWrites.map(\.0.name)) == ["a", "b"])
        #expect(agent.statusWrites.allSatisfy { $0.1?.map(\.ip) == ["198.51.100.50"] })
    }

    @Test func aChangedHostNameRestartsTheClientAskingForTheAddressItHad() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web"))
        agent.leased("198.51.100.50")
        _ = agent.take()
        agent.update(dhcpService("web", annotations: [KubeVipKeys.loadBalancerHostname: "web-lb"]))
        #expect(agent.withdrawn == [F.ip("198.51.100.50")])
        #expect(agent.dhcpStops == ["vip-uid-web"])
        #expect(agent.dhcpStarts.first?.hostName == "web-lb")
        #expect(agent.dhcpStarts.first?.rememberedAddress == F.ip("198.51.100.50"))
    }

    @Test func badDHCPAnnotationsAreWarnedAboutOnceAndReplacedByDefaults() {
        var agent = ReconcilerDriver.dhcpLeader()
        let service = dhcpService(
            "web", annotations: [KubeVipKeys.macvlanName: "much-too-long-for-linux", KubeVipKeys.hardwareAddress: "ff:ff:ff:ff:ff:ff", KubeVipKeys.reversePathFilter: "7"])
        agent.add(service)
        agent.update(service)
        #expect(agent.events(reason: "InvalidDHCPAnnotation").count == 1)
        let claim = agent.dhcpStarts.first
        #expect(claim?.name == "vip-uid-web")
        #expect(claim?.hardwareAddress == DHCPRequest.generatedHardwareAddress(uid: "uid-web"))
        #expect(claim?.reversePathFilter == 0)
    }

    @Test func theBroadcastFlagAndHostNameAreTakenFromTheAnnotations() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(dhcpService("web", annotations: [KubeVipKeys.dhcpBroadcast: "true", KubeVipKeys.loadBalancerHostname: "web-lb"]))
        #expect(agent.dhcpStarts.first?.broadcast == true)
        #expect(agent.dhcpStarts.first?.hostName == "web-lb")
    }

    @Test func theLeaseInTheStatusDoesNotHideThatTheServiceAsksForDHCP() {
        // spec.loadBalancerIP 0.0.0.0 (kubectl expose --load-balancer-ip=0.0.0.0) wins over the status it leads to.
        let service = F.service("web", loadBalancerIP: "0.0.0.0", annotations: allow, ingress: ["198.51.100.50"])
        guard case .success(let intent) = ServiceIntent.read(service, settings: AgentSettings(nodeName: "node1")) else {
            Issue.record("not handled")
            return
        }
        #expect(intent.dhcp != nil)
        #expect(intent.addresses.isEmpty)
    }

    @Test func dhcpv6IsStillUnsupportedAndSaysSo() {
        var agent = ReconcilerDriver.dhcpLeader()
        agent.add(F.service("web", addresses: "::", annotations: allow))
        #expect(agent.events(reason: "UnsupportedAddress").first?.1.contains("DHCPv6") == true)
        #expect(agent.dhcpStarts.isEmpty)
    }

    @Test func aReportFromAClientThatWasStoppedIsIgnored() {
        var agent = ReconcilerDriver.dhcpLeader()
        let service = dhcpService("web")
        agent.add(service)
        agent.delete(service)
        _ = agent.take()
        agent.leased("198.51.100.50")
        #expect(agent.take().isEmpty)
    }
}
