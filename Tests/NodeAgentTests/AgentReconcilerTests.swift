import KubeVipConventions
import KubernetesModels
import LeaderElection
import NetworkAddresses
import Testing

@testable import NodeAgent

private typealias F = AgentFixtures

@Suite("Node agent decisions: global election")
struct GlobalElectionDecisionTests {
    @Test func nothingIsClaimedBeforeBothWatchesHaveListed() {
        var agent = ReconcilerDriver.global()
        agent.lead()
        agent.add(F.service("web", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"]))
        agent.apply(.service(.synced))
        #expect(agent.claimed.isEmpty)
        agent.apply(.endpointSlice(.synced))
        #expect(agent.claimed == [F.ip("198.51.100.100")])
    }

    @Test func theLeaderClaimsEveryServiceWithEndpoints() {
        var agent = ReconcilerDriver.global()
        agent.add(F.service("a", addresses: "198.51.100.100"))
        agent.add(F.service("b", addresses: "198.51.100.101"))
        agent.add(F.slice(for: "a", node: "node2"))
        agent.add(F.slice(for: "b", node: "node3"))
        agent.synced()
        #expect(agent.claimed.isEmpty, "a follower claims nothing")
        agent.lead()
        #expect(Set(agent.claimed) == [F.ip("198.51.100.100"), F.ip("198.51.100.101")])
    }

    @Test func aServiceWithoutEndpointsIsNotServedUnlessAnnotated() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        agent.add(F.service("a", addresses: "198.51.100.100"))
        #expect(agent.claimed.isEmpty)
        agent.add(F.slice(for: "a", ready: false))
        #expect(agent.claimed.isEmpty, "an endpoint that is not serving does not count")
        agent.update(F.slice(for: "a", ready: true))
        #expect(agent.claimed == [F.ip("198.51.100.100")])
    }

    @Test func losingTheLeaseWithdrawsEveryAddress() {
        var agent = ReconcilerDriver.global()
        agent.add(F.service("a", addresses: "198.51.100.100,2001:db8::100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"]))
        agent.synced()
        agent.lead()
        _ = agent.take()
        agent.follow(holder: nil)
        #expect(Set(agent.withdrawn) == [F.ip("198.51.100.100"), F.ip("2001:db8::100")])
    }

    @Test func losingAllEndpointsWithdrawsTheAddressAndRegainingThemClaimsItAgain() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        agent.add(F.service("a", addresses: "198.51.100.100"))
        agent.add(F.slice(for: "a"))
        _ = agent.take()
        agent.apply(.endpointSlice(.deleted(F.slice(for: "a"))))
        #expect(agent.withdrawn == [F.ip("198.51.100.100")])
        _ = agent.take()
        agent.add(F.slice(for: "a"))
        #expect(agent.claimed == [F.ip("198.51.100.100")])
    }

    @Test func localPolicyIsServedByTheLeaderOnlyWithALocalEndpoint() {
        var agent = ReconcilerDriver.global(node: "node1")
        agent.synced()
        agent.lead()
        agent.add(F.service("a", addresses: "198.51.100.100", local: true))
        agent.add(F.slice(for: "a", node: "node2"))
        #expect(agent.claimed.isEmpty)
        agent.update(F.slice(for: "a", node: "node1"))
        #expect(agent.claimed == [F.ip("198.51.100.100")])
    }

    @Test func deletingTheServiceWithdrawsItsAddress() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        let web = F.service("a", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"])
        agent.add(web)
        _ = agent.take()
        agent.delete(web)
        #expect(agent.withdrawn == [F.ip("198.51.100.100")])
    }

    @Test func changingTheAddressMovesTheClaim() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        let allow = [KubeVipKeys.allowWithoutEndpoints: "true"]
        agent.add(F.service("a", addresses: "198.51.100.100", annotations: allow))
        _ = agent.take()
        agent.update(F.service("a", addresses: "198.51.100.101", annotations: allow))
        #expect(agent.withdrawn == [F.ip("198.51.100.100")])
        #expect(agent.claimed == [F.ip("198.51.100.101")])
    }

    @Test func twoServicesSharingAnAddressMakeOneClaimAndTheAddressStaysWhileOneRemains() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        let allow = [KubeVipKeys.allowWithoutEndpoints: "true"]
        let first = F.service("a", addresses: "198.51.100.100", annotations: allow, ports: [80])
        agent.add(first)
        agent.add(F.service("b", addresses: "198.51.100.100", annotations: allow, ports: [443]))
        #expect(agent.claimed == [F.ip("198.51.100.100")])
        _ = agent.take()
        agent.delete(first)
        #expect(agent.withdrawn.isEmpty)
    }
}

@Suite("Node agent decisions: per-Service election")
struct PerServiceElectionDecisionTests {
    @Test func aServiceWithEndpointsCampaignsForItsOwnLease() {
        var agent = ReconcilerDriver.perService()
        agent.synced()
        agent.add(F.service("web", namespace: "shop", addresses: "198.51.100.100"))
        #expect(agent.campaigns.isEmpty, "no endpoints yet: not a candidate")
        agent.add(F.slice(for: "web", namespace: "shop"))
        #expect(agent.campaigns == [LeaseName(namespace: "shop", name: "kubevip-web")])
        #expect(agent.claimed.isEmpty, "nothing is held before the Lease is won")
        agent.lead(LeaseName(namespace: "shop", name: "kubevip-web"))
        #expect(agent.claimed == [F.ip("198.51.100.100")])
    }

    @Test func theLeaseNameAnnotationIsHonoured() {
        var agent = ReconcilerDriver.perService()
        agent.synced()
        agent.add(F.service("web", addresses: "198.51.100.100", annotations: [
            KubeVipKeys.leaseName: "other/shared", KubeVipKeys.allowWithoutEndpoints: "true",
        ]))
        #expect(agent.campaigns == [LeaseName(namespace: "other", name: "shared")])
    }

    @Test func theLeaseNameAnnotationIsIgnoredWithAWarningForLocalPolicy() {
        var agent = ReconcilerDriver.perService()
        agent.synced()
        agent.add(F.service("web", addresses: "198.51.100.100", local: true, annotations: [KubeVipKeys.leaseName: "shared"]))
        agent.add(F.slice(for: "web", node: "node1"))
        #expect(agent.campaigns == [LeaseName(namespace: "default", name: "kubevip-web")])
        #expect(agent.events(reason: "LeaseNameIgnored").count == 1)
    }

    @Test func servicesSharingAnAddressCampaignUnderTheOldestServicesLease() {
        var agent = ReconcilerDriver.perService()
        agent.synced()
        let allow = [KubeVipKeys.allowWithoutEndpoints: "true"]
        agent.add(F.service("young", addresses: "198.51.100.100", created: 9, annotations: allow))
        agent.add(F.service("old", addresses: "198.51.100.100", created: 1, annotations: allow))
        #expect(agent.campaigns.contains(LeaseName(namespace: "default", name: "kubevip-old")))
        #expect(agent.resignations == [LeaseName(namespace: "default", name: "kubevip-young")])
        _ = agent.take()
        agent.lead(LeaseName(namespace: "default", name: "kubevip-old"))
        #expect(agent.claimed == [F.ip("198.51.100.100")])
    }

    @Test func localPolicyCampaignsOnlyWhereAnEndpointRunsAndResignsWhenItLeaves() {
        var agent = ReconcilerDriver.perService(node: "node1")
        let lease = LeaseName(namespace: "default", name: "kubevip-web")
        agent.synced()
        agent.add(F.service("web", addresses: "198.51.100.100", local: true))
        agent.add(F.slice(for: "web", node: "node2"))
        #expect(agent.campaigns.isEmpty)
        agent.update(F.slice(for: "web", node: "node1"))
        #expect(agent.campaigns == [lease])
        agent.lead(lease)
        _ = agent.take()
        agent.update(F.slice(for: "web", node: "node3"))
        #expect(agent.withdrawn == [F.ip("198.51.100.100")])
        #expect(agent.resignations == [lease])
    }

    @Test func losingALeaseWithdrawsOnlyItsServicesAddresses() {
        var agent = ReconcilerDriver.perService()
        let allow = [KubeVipKeys.allowWithoutEndpoints: "true"]
        agent.synced()
        agent.add(F.service("a", addresses: "198.51.100.100", annotations: allow))
        agent.add(F.service("b", addresses: "198.51.100.101", annotations: allow))
        agent.lead(LeaseName(namespace: "default", name: "kubevip-a"))
        agent.lead(LeaseName(namespace: "default", name: "kubevip-b"))
        _ = agent.take()
        agent.follow(LeaseName(namespace: "default", name: "kubevip-a"), holder: "node2")
        #expect(agent.withdrawn == [F.ip("198.51.100.100")])
    }
}

@Suite("Node agent decisions: probing, status and warnings")
struct AgentStatusDecisionTests {
    @Test func aNewAddressIsProbedButOneAnotherNodeAnnouncedIsTakenOver() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        let allow = [KubeVipKeys.allowWithoutEndpoints: "true"]
        agent.add(F.service("fresh", addresses: "198.51.100.100", annotations: allow))
        agent.add(F.service("moved", addresses: "198.51.100.101", annotations: allow.merging([KubeVipKeys.vipHost: "node2"]) { $1 }))
        let claims = Dictionary(uniqueKeysWithValues: agent.claims.map { ($0.address, $0.takeOver) })
        #expect(claims[F.ip("198.51.100.100")] == false)
        #expect(claims[F.ip("198.51.100.101")] == true)
    }

    @Test func winningALeaseAnotherNodeHeldTakesItsAddressesOverWithoutProbing() {
        var agent = ReconcilerDriver.global(node: "node2")
        agent.add(F.service("a", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"]))
        agent.synced()
        agent.follow(holder: "node1")
        agent.lead()
        #expect(agent.claims.map(\.takeOver) == [true])
    }

    @Test func statusIsWrittenOnceTheAddressIsHeldWithPortsAndVipHost() {
        var agent = ReconcilerDriver.global(node: "node1")
        agent.synced()
        agent.lead()
        agent.add(F.service("a", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"], ports: [80, 443]))
        #expect(agent.statusWrites.isEmpty, "not before the address answers")
        agent.held("198.51.100.100")
        let writes = agent.statusWrites
        #expect(writes.count == 1)
        #expect(writes.first?.1 == [LoadBalancerIngress(ip: "198.51.100.100", ports: [PortStatus(port: 80, protocol: "TCP"), PortStatus(port: 443, protocol: "TCP")])])
        #expect(writes.first?.2 == "node1")
        #expect(agent.events(reason: "AddressAnnounced").count == 1)
    }

    @Test func aServiceThatAlreadyShowsTheRightStatusIsNotWrittenAgain() {
        var agent = ReconcilerDriver.global(node: "node1")
        agent.synced()
        agent.lead()
        var service = F.service("a", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"])
        agent.add(service)
        agent.held("198.51.100.100")
        _ = agent.take()
        service.metadata.annotations?[KubeVipKeys.vipHost] = "node1"
        service.status = ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: [
            LoadBalancerIngress(ip: "198.51.100.100", ports: [PortStatus(port: 80, protocol: "TCP")]),
        ]))
        agent.update(service)
        #expect(agent.statusWrites.isEmpty)
    }

    @Test func nothingIsWrittenWithServiceUpdatesDisabled() {
        var settings = AgentSettings(nodeName: "node1")
        settings.disableServiceUpdates = true
        var agent = ReconcilerDriver(settings: settings)
        agent.synced()
        agent.lead()
        agent.add(F.service("a", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"]))
        agent.held("198.51.100.100")
        #expect(agent.statusWrites.isEmpty)
    }

    @Test func aConflictIsReportedOnceAsAWarningOnTheService() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        agent.add(F.service("a", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"]))
        let owner = MACAddressFixture.foreign
        agent.apply(.advertiser(.conflict(F.ip("198.51.100.100"), owner: owner, link: F.link)))
        agent.apply(.advertiser(.conflict(F.ip("198.51.100.100"), owner: owner, link: F.link)))
        let conflicts = agent.events(reason: "AddressConflict")
        #expect(conflicts.count == 1)
        #expect(conflicts.first?.1.contains("02:00:00:00:00:30") == true)
        #expect(agent.statusWrites.isEmpty)
    }

    @Test func hostnamesAndDHCPv6EntriesAreWarnedAboutOnceAndTheRestIsServed() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        let service = F.service("a", addresses: "198.51.100.100,lb.example.com,::", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"])
        agent.add(service)
        agent.update(service)
        #expect(agent.events(reason: "UnsupportedAddress").count == 1)
        #expect(agent.claimed == [F.ip("198.51.100.100")])
    }
}

import NetworkFrames

enum MACAddressFixture {
    static let foreign = MACAddress(2, 0, 0, 0, 0, 0x30)
}

@Suite("Node agent decisions: status writes are not repeated")
struct AgentStatusRepeatTests {
    @Test func aHalfWrittenServiceDoesNotAskForTheSameWriteAgain() {
        var agent = ReconcilerDriver.global(node: "node1")
        agent.synced()
        agent.lead()
        var service = F.service("a", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"])
        agent.add(service)
        agent.held("198.51.100.100")
        #expect(agent.statusWrites.count == 1)
        _ = agent.take()
        // The status landed, the annotation not yet.
        service.status = ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: [
            LoadBalancerIngress(ip: "198.51.100.100", ports: [PortStatus(port: 80, protocol: "TCP")]),
        ]))
        agent.update(service)
        #expect(agent.statusWrites.isEmpty)
    }

    @Test func aServiceServedAgainAfterAnotherNodeIsWrittenAgain() {
        var agent = ReconcilerDriver.global(node: "node1")
        agent.synced()
        agent.lead()
        let service = F.service("a", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"])
        agent.add(service)
        agent.held("198.51.100.100")
        agent.follow(holder: "node2")
        _ = agent.take()
        agent.lead()
        agent.held("198.51.100.100")
        #expect(agent.statusWrites.count == 1)
    }
}

@Suite("Node agent decisions: advertiser problems")
struct AgentAdvertiserProblemTests {
    @Test func aFailingSendIsWarnedAboutButTheAddressStillCountsAsHeld() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        agent.add(F.service("a", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"]))
        agent.held("198.51.100.100")
        agent.apply(.advertiser(.failed(F.ip("198.51.100.100"), reason: "sending on eth0: ENETDOWN")))
        #expect(agent.events(reason: "AddressNotAdded").count == 1)
        #expect(agent.reconciler.heldCount == 1)
    }

    @Test func aMissingInterfaceIsWarnedAboutOnceAndTheAddressIsNotHeld() {
        var agent = ReconcilerDriver.global()
        agent.synced()
        agent.lead()
        agent.add(F.service("a", addresses: "198.51.100.100", annotations: [KubeVipKeys.allowWithoutEndpoints: "true"]))
        agent.apply(.advertiser(.noLink(F.ip("198.51.100.100"), reason: "no link named eth9")))
        agent.apply(.advertiser(.noLink(F.ip("198.51.100.100"), reason: "no link named eth9")))
        #expect(agent.events(reason: "InterfaceNotFound").count == 1)
        #expect(agent.reconciler.heldCount == 0)
        #expect(agent.statusWrites.isEmpty)
    }
}

@Suite("Node agent decisions: only what differs is written")
struct AgentMinimalWriteTests {
    @Test func aTakeOverOfAnAddressTheStatusAlreadyListsOnlyRewritesVipHost() {
        var agent = ReconcilerDriver.global(node: "node2")
        var service = F.service("a", addresses: "198.51.100.100", annotations: [
            KubeVipKeys.allowWithoutEndpoints: "true", KubeVipKeys.vipHost: "node1",
        ])
        service.status = ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: [
            LoadBalancerIngress(ip: "198.51.100.100", ports: [PortStatus(port: 80, protocol: "TCP")]),
        ]))
        agent.add(service)
        agent.synced()
        agent.lead()
        agent.held("198.51.100.100")
        let writes = agent.statusWrites
        #expect(writes.count == 1)
        #expect(writes.first?.1 == nil, "the status is right already")
        #expect(writes.first?.2 == "node2")
    }
}
