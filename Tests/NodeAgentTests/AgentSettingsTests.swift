import Testing

@testable import NodeAgent

@Suite("kube-vip manager's environment")
struct AgentSettingsTests {
    private let minimal = ["svc_enable": "true", "vip_arp": "true"]

    private func settings(_ extra: [String: String], podNamespace: String? = nil) throws -> AgentSettings {
        try AgentSettings(environment: minimal.merging(extra) { $1 }, hostName: "Node-A.example", podNamespace: podNamespace)
    }

    @Test func defaultsAreUpstreams() throws {
        let settings = try settings([:])
        #expect(settings.nodeName == "node-a.example")
        #expect(settings.election == .global(namespace: "kube-system", name: "plndr-svcs-lock"))
        #expect(settings.leaseDuration == .seconds(15))
        #expect(settings.renewDeadline == .seconds(10))
        #expect(settings.retryPeriod == .seconds(2))
        #expect(settings.announcementPeriod == .milliseconds(3000))
        #expect(settings.metricsAddress == ":2112")
        #expect(settings.className == "kube-vip.io/kube-vip-class")
        #expect(settings.classLegacyHandling)
        #expect(settings.defaultInterface == .auto)
    }

    @Test func servicesAndARPMustBeEnabled() {
        #expect(throws: SettingsError.self) { try AgentSettings(environment: ["vip_arp": "true"], hostName: "n") }
        #expect(throws: SettingsError.self) { try AgentSettings(environment: ["svc_enable": "true"], hostName: "n") }
        #expect(throws: SettingsError.self) { try settings(["bgp_enable": "true"]) }
    }

    @Test func unreadableBooleansAreErrorsNotDefaults() {
        #expect(throws: SettingsError.self) { try settings(["svc_election": "yes"]) }
    }

    @Test func perServiceElectionAndTimings() throws {
        let settings = try settings([
            "svc_election": "true", "vip_leaseduration": "5", "vip_renewdeadline": "3", "vip_retryperiod": "1",
            "vip_nodename": "worker-1", "vip_interface": "eth1", "vip_servicesinterface": "auto",
        ])
        #expect(settings.election == .perService)
        #expect(settings.leaseDuration == .seconds(5))
        #expect(settings.renewDeadline == .seconds(3))
        #expect(settings.retryPeriod == .seconds(1))
        #expect(settings.nodeName == "worker-1")
        #expect(settings.interface == "eth1")
        #expect(settings.defaultInterface == .auto)
    }

    @Test func theGlobalLeaseLivesInThePodsNamespaceUnlessNamedWithOne() throws {
        #expect(try settings([:], podNamespace: "kube-vip").election == .global(namespace: "kube-vip", name: "plndr-svcs-lock"))
        #expect(try settings(["cp_namespace": "infra"]).election == .global(namespace: "infra", name: "plndr-svcs-lock"))
        #expect(try settings(["svc_leasename": "lb/lock"], podNamespace: "kube-vip").election == .global(namespace: "lb", name: "lock"))
    }

    @Test func timingsThatLetTwoNodesHoldAnAddressAreRefused() {
        #expect(throws: SettingsError.self) { try settings(["vip_leaseduration": "3", "vip_renewdeadline": "5"]) }
        #expect(throws: SettingsError.self) { try settings(["vip_leaseduration": "abc"]) }
    }

    @Test func anAnnouncementPeriodUnder500MillisecondsMeans3000AsUpstream() throws {
        #expect(try settings(["vip_arpRate": "100"]).announcementPeriod == .milliseconds(3000))
        #expect(try settings(["vip_arpRate": "750"]).announcementPeriod == .milliseconds(750))
    }

    @Test func anEmptyPrometheusAddressTurnsMetricsOff() throws {
        #expect(try settings(["prometheus_server": ""]).metricsAddress == nil)
    }

    @Test func aPrivilegedHealthPortIsRefused() {
        #expect(throws: SettingsError.self) { try settings(["health_check_port": "80"]) }
    }
}

@Suite("kube-vip manager's environment: UPnP")
struct UPnPSettingsTests {
    private let minimal = ["svc_enable": "true", "vip_arp": "true"]

    @Test func upnpIsOffUnlessEnabled() throws {
        #expect(try AgentSettings(environment: minimal, hostName: "n").enableUPnP == false)
    }

    @Test func enableUpnpTurnsItOn() throws {
        let settings = try AgentSettings(environment: minimal.merging(["enable_upnp": "true"]) { $1 }, hostName: "n")
        #expect(settings.enableUPnP)
    }

    @Test func theOlderEnableUPNPNameStillWorks() throws {
        let settings = try AgentSettings(environment: minimal.merging(["enableUPNP": "true"]) { $1 }, hostName: "n")
        #expect(settings.enableUPnP)
    }

    @Test func anUnreadableValueIsAnError() {
        #expect(throws: SettingsError.self) {
            try AgentSettings(environment: minimal.merging(["enable_upnp": "on please"]) { $1 }, hostName: "n")
        }
    }
}
