import IPAM
import KubeVipConventions
import KubernetesModels
import LeaderElection
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Testing
import UPnP

@testable import NodeAgent

private typealias F = AgentFixtures

private let forwardUPnP = [KubeVipKeys.allowWithoutEndpoints: "true", KubeVipKeys.forwardUPNP: "true"]

private func upnpService(
    _ name: String = "web", addresses: String = "198.51.100.100", annotations: [String: String] = [:],
    ports: [KubernetesModels.ServicePort] = [KubernetesModels.ServicePort(name: "http", port: 32380)], ingress: [String] = []
) -> KubernetesService {
    var service = F.service(name, addresses: addresses, annotations: forwardUPnP.merging(annotations) { $1 }, ingress: ingress)
    service.spec?.ports = ports
    return service
}

extension ReconcilerDriver {
    /// The global Lease's holder with UPnP on, both watches synced.
    static func upnpLeader(enabled: Bool = true) -> ReconcilerDriver {
        var settings = AgentSettings(nodeName: "node1")
        settings.enableUPnP = enabled
        var agent = ReconcilerDriver(settings: settings)
        agent.synced()
        agent.lead()
        return agent
    }

    var forwardings: [PortForwarding] {
        actions.compactMap { if case .forward(let forwarding) = $0 { forwarding } else { nil } }
    }
    var forwardingStops: [ServiceKey] {
        actions.compactMap { if case .stopForwarding(let key) = $0 { key } else { nil } }
    }

    mutating func forwarded(
        _ ports: [ForwardedPort], external: String? = "100.128.0.1", service: ServiceKey = ServiceKey(namespace: "default", name: "web")
    ) {
        apply(.upnp(.forwarded(
            service, gateway: "http://198.51.100.254:5000/rootDesc.xml", externalAddress: external.map(AgentFixtures.ip),
            ports: ports, leaseDuration: 3600)))
    }
}

private let web = ServiceKey(namespace: "default", name: "web")
private let tcp32380 = ForwardedPort(port: 32380, protocol: .tcp)

@Suite("Node agent decisions: UPnP mode")
struct UPnPDecisionTests {
    @Test func anOptedInServiceIsForwardedOnceItsAddressIsHeld() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService())
        #expect(agent.forwardings.isEmpty, "nothing to forward to before the address is on the interface")
        agent.held("198.51.100.100")
        #expect(
            agent.forwardings == [
                PortForwarding(
                    service: web, internalClient: F.ip("198.51.100.100"), interface: "eth0", ports: [tcp32380],
                    leaseDuration: 3600, node: "node1")
            ])
    }

    @Test func theMappingDescriptionNamesTheServiceAndTheNode() {
        let forwarding = PortForwarding(
            service: web, internalClient: F.ip("198.51.100.100"), interface: "eth0", ports: [tcp32380], leaseDuration: 3600,
            node: "node1")
        #expect(forwarding.mappingDescription == "kube-vip default/web node1")
    }

    @Test func withUPnPOffNothingIsForwardedAndTheServiceIsWarnedOnce() {
        var agent = ReconcilerDriver.upnpLeader(enabled: false)
        agent.add(upnpService())
        agent.held("198.51.100.100")
        agent.update(upnpService())
        #expect(agent.forwardings.isEmpty)
        #expect(agent.events(reason: "UPnPDisabled").count == 1)
    }

    @Test func aServiceWithoutTheAnnotationIsNotForwarded() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService(annotations: [KubeVipKeys.forwardUPNP: "false"]))
        agent.held("198.51.100.100")
        #expect(agent.forwardings.isEmpty)
    }

    @Test func aFollowerForwardsNothing() {
        var settings = AgentSettings(nodeName: "node2")
        settings.enableUPnP = true
        var agent = ReconcilerDriver(settings: settings)
        agent.synced()
        agent.add(upnpService())
        #expect(agent.forwardings.isEmpty)
    }

    @Test func theLeaseAnnotationSetsTheMappingsLease() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService(annotations: [KubeVipKeys.upnpLeaseDuration: "30m"]))
        agent.held("198.51.100.100")
        #expect(agent.forwardings.first?.leaseDuration == 1800)
    }

    @Test func aZeroLeaseAsksForPermanentMappings() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService(annotations: [KubeVipKeys.upnpLeaseDuration: "0s"]))
        agent.held("198.51.100.100")
        #expect(agent.forwardings.first?.leaseDuration == 0)
    }

    @Test func anUnreadableLeaseFallsBackToAnHourWithAWarning() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService(annotations: [KubeVipKeys.upnpLeaseDuration: "forever"]))
        agent.held("198.51.100.100")
        #expect(agent.forwardings.first?.leaseDuration == 3600)
        #expect(agent.events(reason: "InvalidUPnPAnnotation").count == 1)
    }

    @Test func losingTheLeaseStopsForwardingBeforeTheAddressIsWithdrawn() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService())
        agent.held("198.51.100.100")
        _ = agent.take()
        agent.follow(holder: "node2")
        let actions = agent.actions
        let stop = actions.firstIndex { if case .stopForwarding = $0 { true } else { false } }
        let withdraw = actions.firstIndex { if case .withdraw = $0 { true } else { false } }
        #expect(stop != nil && withdraw != nil)
        if let stop, let withdraw { #expect(stop < withdraw, "the gateway hears the deletion from the address") }
    }

    @Test func deletingTheServiceStopsForwarding() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService())
        agent.held("198.51.100.100")
        _ = agent.take()
        agent.delete(upnpService())
        #expect(agent.forwardingStops == [web])
    }

    @Test func removingTheOptInStopsForwardingButKeepsTheAddress() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService())
        agent.held("198.51.100.100")
        _ = agent.take()
        agent.update(upnpService(annotations: [KubeVipKeys.forwardUPNP: "false"]))
        #expect(agent.forwardingStops == [web])
        #expect(agent.withdrawn.isEmpty)
    }

    @Test func aPortChangeChangesWhatIsForwarded() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService())
        agent.held("198.51.100.100")
        _ = agent.take()
        agent.update(upnpService(ports: [KubernetesModels.ServicePort(name: "https", port: 32443)]))
        #expect(agent.forwardings.map(\.ports) == [[ForwardedPort(port: 32443, protocol: .tcp)]])
        #expect(agent.forwardingStops.isEmpty, "one forwarder follows the change")
    }

    @Test func udpPortsAreForwardedAndSCTPPortsAreWarnedAbout() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(
            upnpService(ports: [
                KubernetesModels.ServicePort(name: "dns", protocol: "UDP", port: 5353), KubernetesModels.ServicePort(name: "sig", protocol: "SCTP", port: 3868),
            ]))
        agent.held("198.51.100.100")
        #expect(agent.forwardings.first?.ports == [ForwardedPort(port: 5353, protocol: .udp)])
        #expect(agent.events(reason: "UPnPProtocolUnsupported").first?.1.contains("SCTP 3868") == true)
    }

    @Test func anIPv6OnlyServiceIsNotForwarded() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService(addresses: "2001:db8::100"))
        agent.held("2001:db8::100")
        #expect(agent.forwardings.isEmpty)
    }

    @Test func aDualStackServiceForwardsToItsIPv4Address() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService(addresses: "2001:db8::100,198.51.100.100"))
        agent.held("2001:db8::100")
        agent.held("198.51.100.100")
        #expect(agent.forwardings.map(\.internalClient) == [F.ip("198.51.100.100")])
    }

    @Test func onceForwardedTheStatusListsTheGatewaysExternalAddressAfterTheVIP() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService())
        agent.held("198.51.100.100")
        _ = agent.take()
        agent.forwarded([tcp32380])
        let ingress = agent.statusWrites.last?.1
        #expect(ingress?.map(\.ip) == ["198.51.100.100", "100.128.0.1"])
        #expect(ingress?.last?.ports == [PortStatus(port: 32380, protocol: "TCP")])
        #expect(agent.events(reason: "UPnPPortsForwarded").count == 1)
    }

    @Test func aRefreshThatChangesNothingPostsNothing() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService())
        agent.held("198.51.100.100")
        agent.forwarded([tcp32380])
        _ = agent.take()
        agent.forwarded([tcp32380])
        #expect(agent.actions.isEmpty)
    }

    @Test func withNoPortMappedTheStatusHasNoGatewayEntry() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService())
        agent.held("198.51.100.100")
        agent.forwarded([])
        #expect(agent.statusWrites.allSatisfy { $0.1?.contains { $0.ip == "100.128.0.1" } != true })
    }

    @Test func stoppingForwardingTakesTheGatewayEntryOutOfTheStatus() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService(ingress: ["198.51.100.100", "100.128.0.1"]))
        agent.held("198.51.100.100")
        agent.forwarded([tcp32380])
        _ = agent.take()
        agent.update(upnpService(annotations: [KubeVipKeys.forwardUPNP: "false"], ingress: ["198.51.100.100", "100.128.0.1"]))
        #expect(agent.statusWrites.last?.1?.map(\.ip) == ["198.51.100.100"])
    }

    @Test func theForwardersProblemsAreWarningEvents() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService())
        agent.held("198.51.100.100")
        agent.apply(.upnp(.problem(web, reason: "UPnPPortConflict", message: "the gateway already forwards TCP 32380 to 198.51.100.50")))
        #expect(agent.events(reason: "UPnPPortConflict").count == 1)
    }

    @Test func anAddressConflictStopsForwarding() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService())
        agent.held("198.51.100.100")
        _ = agent.take()
        agent.apply(.advertiser(.conflict(F.ip("198.51.100.100"), owner: MACAddress(2, 0, 0, 0, 0, 9), link: F.link)))
        #expect(agent.forwardingStops == [web])
    }

    @Test func aDHCPServiceForwardsToItsLeasedAddress() {
        var agent = ReconcilerDriver.upnpLeader()
        agent.add(upnpService(addresses: "0.0.0.0"))
        agent.apply(.dhcp(.bound(name: "vip-uid-web", address: F.ip("198.51.100.50"), server: F.ip("198.51.100.2"), leaseTime: .seconds(120))))
        agent.apply(.advertiser(.held(F.ip("198.51.100.50"), link: NetworkLink(
            index: 7, name: "vip-uid-web", hardwareAddress: MACAddress(2, 0, 0, 0, 0, 7), isUp: true, isLoopback: false))))
        #expect(agent.forwardings.map(\.internalClient) == [F.ip("198.51.100.50")])
        #expect(agent.forwardings.map(\.interface) == ["vip-uid-web"])
    }
}
