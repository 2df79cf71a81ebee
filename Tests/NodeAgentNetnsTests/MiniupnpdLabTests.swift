import Foundation
import NetworkLab
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("MiniupnpdLab mapping list and configuration file")
struct MiniupnpdLabParsingTests {
    @Test("a listed mapping gives protocol, ports, client, description, remote host and remaining lease")
    func mappingLine() {
        let mappings = MiniupnpdMapping.parse(" 0 TCP 30080->198.51.100.11:8080  'lb-test' '' 604798\n")
        #expect(
            mappings == [
                MiniupnpdMapping(
                    protocol: "TCP", externalPort: 30080, internalClient: "198.51.100.11", internalPort: 8080,
                    description: "lb-test", remainingLease: 604_798)
            ])
    }

    @Test("padded short ports, UDP, a remote host and quotes and spaces in the description are read")
    func unusualMappingLines() {
        let output = """
             0 UDP    53->198.51.100.12:53     'it's a  test' '100.128.0.2' 3599
            12 TCP 32380->198.51.100.100:32380 '' '' 0
            """
        #expect(
            MiniupnpdMapping.parse(output) == [
                MiniupnpdMapping(
                    protocol: "UDP", externalPort: 53, internalClient: "198.51.100.12", internalPort: 53,
                    description: "it's a  test", remoteHost: "100.128.0.2", remainingLease: 3599),
                MiniupnpdMapping(
                    protocol: "TCP", externalPort: 32380, internalClient: "198.51.100.100", internalPort: 32380,
                    description: "", remainingLease: 0),
            ])
    }

    @Test("upnpc's banner, status, header and closing error lines are no mappings")
    func otherLines() {
        let output = """
            upnpc : miniupnpc library test client, version 2.2.4.
             (c) 2005-2022 Thomas Bernard.
            Found valid IGD : http://198.51.100.254:5000/ctl/IPConn
            Local LAN ip address : 198.51.100.254
            Status : Connected, uptime=0s, LastConnectionError : ERROR_NONE
            ExternalIPAddress = 100.128.0.1
             i protocol exPort->inAddr:inPort description remoteHost leaseTime
             1 SCTP 80->198.51.100.11:80 'x' '' 10
             2 TCP 80->198.51.100.11:80 'unterminated '' 10
            GetGenericPortMappingEntry() returned 713 (SpecifiedArrayIndexInvalid)
            """
        #expect(MiniupnpdMapping.parse(output).isEmpty)
    }

    @Test("the configuration file is the testbed's, with the permissions before the final deny")
    func configurationFile() {
        let configuration = MiniupnpdConfiguration(
            secureMode: true, permissions: ["deny 30080 0.0.0.0/0 0-65535"] + MiniupnpdConfiguration.defaultPermissions,
            uuid: "3d3c5c2a-0000-4000-8000-000000000001", extraLines: ["notify_interval=60"])
        let lines = configuration.file(externalInterface: "wan0").split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "ext_ifname=wan0", "listening_ip=eth0", "http_port=5000", "enable_upnp=yes", "enable_natpmp=no",
                "secure_mode=yes", "system_uptime=no", "uuid=3d3c5c2a-0000-4000-8000-000000000001",
                "notify_interval=60", "deny 30080 0.0.0.0/0 0-65535", "allow 1024-65535 198.51.100.0/24 1024-65535",
                "deny 0-65535 0.0.0.0/0 0-65535",
            ])
    }

    @Test("every configuration gets its own device UUID")
    func distinctUUIDs() {
        #expect(MiniupnpdConfiguration().uuid != MiniupnpdConfiguration().uuid)
    }
}

@Suite(
    "MiniupnpdLab gateway",
    .serialized,
    .enabled(if: NetworkLab.unavailableReason() == nil, "\(NetworkLab.unavailableReason() ?? "")"),
    .enabled(
        if: MiniupnpdGateway.missingTools().isEmpty,
        "not installed: \(MiniupnpdGateway.missingTools().joined(separator: ", "))"),
    .timeLimit(.minutes(1))
)
struct MiniupnpdLabTests {
    static let hosts: [HostSpec] = [.host("node1", 11), .host("node2", 12), .host("gw", 254)]

    @Test("a started gateway serves its description and has no mappings")
    func startsEmpty() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            let gateway = try await MiniupnpdGateway.start(in: lab, host: try lab.host("gw"))

            #expect(gateway.descriptionURL == "http://198.51.100.254:5000/rootDesc.xml")
            #expect(try await gateway.mappings(from: try lab.host("node1")) == [], "\(gateway.log())")
            let description = try await lab.run(in: try lab.host("node1"), ["curl", "-s", gateway.descriptionURL])
            #expect(description.stdout.contains("urn:schemas-upnp-org:service:WANIPConnection:2"), "\(description)")
        }
    }

    @Test("a mapping added from a node is listed with its fields and gone once deleted")
    func addListDelete() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            let gateway = try await MiniupnpdGateway.start(in: lab, host: try lab.host("gw"))
            let node1 = try lab.host("node1")

            try await gateway.addMapping(
                from: node1, internalPort: 8080, externalPort: 30080, description: "lb-test", leaseDuration: 3600)

            let mappings = try await gateway.mappings()
            #expect(mappings.count == 1, "\(mappings)")
            let mapping = try #require(mappings.first)
            #expect(mapping.protocol == "TCP")
            #expect(mapping.externalPort == 30080)
            #expect(mapping.internalClient == "198.51.100.11")
            #expect(mapping.internalPort == 8080)
            #expect(mapping.description == "lb-test")
            #expect(mapping.remoteHost == "")
            #expect((3590...3600).contains(mapping.remainingLease), "\(mapping)")

            try await gateway.deleteMapping(from: node1, externalPort: 30080)

            #expect(try await gateway.mappings() == [])
        }
    }

    @Test("a mapping forwards TCP from the WAN side to the node's listener, and nothing does once it is deleted")
    func realForwarding() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            let gateway = try await MiniupnpdGateway.start(in: lab, host: try lab.host("gw"))
            let node1 = try lab.host("node1")
            _ = try await lab.startTextServer(in: node1, port: 8080, text: "hello from node1")
            try await gateway.addReturnRoute(on: node1)
            try await gateway.addMapping(from: node1, internalPort: 8080, externalPort: 30080, description: "lb-test")

            let reply = try await gateway.connect(toExternalPort: 30080)

            let rules = try await gateway.firewallRules()
            #expect(reply == "hello from node1\n", "\(rules)\n\(gateway.log())")
            try await gateway.deleteMapping(from: node1, externalPort: 30080)
            #expect(try await gateway.connect(toExternalPort: 30080) == nil)
            #expect(!(try await gateway.firewallRules()).contains("dnat"))
        }
    }

    @Test("SSDP discovery from a node finds the gateway")
    func discovery() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            let gateway = try await MiniupnpdGateway.start(in: lab, host: try lab.host("gw"))

            // -m eth0: upnpc's M-SEARCH needs an interface, as the lab hosts have no default route.
            let result = try await lab.run(in: try lab.host("node1"), ["upnpc", "-m", "eth0", "-s"])

            #expect(result.stdout.contains("Found valid IGD : http://198.51.100.254:5000/ctl/IPConn"), "\(result)")
            #expect(result.stdout.contains("ExternalIPAddress = \(gateway.externalAddress)"), "\(result)")
        }
    }

    @Test("a port mapped to another client is refused with 718")
    func conflict() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            let gateway = try await MiniupnpdGateway.start(in: lab, host: try lab.host("gw"))
            try await gateway.addMapping(from: try lab.host("node2"), internalPort: 8080, externalPort: 30080)

            let error = await #expect(throws: NetworkLabError.self) {
                try await gateway.addMapping(from: try lab.host("node1"), internalPort: 8080, externalPort: 30080)
            }

            #expect("\(error.map { "\($0)" } ?? "")".contains("718"))
            #expect(try await gateway.mappings().map(\.internalClient) == ["198.51.100.12"])
        }
    }

    @Test("a deny before the default permission refuses that port with 606")
    func configuredDeny() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            let configuration = MiniupnpdConfiguration(
                permissions: ["deny 30080 0.0.0.0/0 0-65535"] + MiniupnpdConfiguration.defaultPermissions)
            let gateway = try await MiniupnpdGateway.start(
                in: lab, host: try lab.host("gw"), configuration: configuration)
            let node1 = try lab.host("node1")

            let refused = try await gateway.upnpc(from: node1, ["-a", node1.ipv4, "8080", "30080", "TCP", "0"])
            try await gateway.addMapping(from: node1, internalPort: 8080, externalPort: 30081)

            #expect(refused.stdout.contains("606"), "\(refused)")
            #expect(try await gateway.mappings().map(\.externalPort) == [30081])
        }
    }

    @Test("in secure mode a node cannot map a port to another node's address")
    func secureMode() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            let gateway = try await MiniupnpdGateway.start(
                in: lab, host: try lab.host("gw"), configuration: MiniupnpdConfiguration(secureMode: true))
            let node1 = try lab.host("node1")

            let refused = try await gateway.upnpc(from: node1, ["-a", "198.51.100.12", "8080", "30080", "TCP", "0"])
            try await gateway.addMapping(from: node1, internalPort: 8080, externalPort: 30081)

            #expect(refused.stdout.contains("718"), "\(refused)")
            #expect(try await gateway.mappings().map(\.externalPort) == [30081])
        }
    }

    @Test("a daemon that ends at start fails the start with its log")
    func failedStart() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            let configuration = MiniupnpdConfiguration(extraLines: ["no_such_option=1"])

            let error = await #expect(throws: NetworkLabError.self) {
                try await MiniupnpdGateway.start(in: lab, host: try lab.host("gw"), configuration: configuration)
            }

            #expect("\(error.map { "\($0)" } ?? "")".contains("invalid option"))
        }
    }

    @Test("teardown leaves neither the lab's namespaces nor miniupnpd behind")
    func teardown() async throws {
        let (id, process, wanNamespace) = try await NetworkLab.with(hosts: Self.hosts) { lab in
            let gateway = try await MiniupnpdGateway.start(in: lab, host: try lab.host("gw"))
            let namespaces = try await lab.ip("netns", "list").stdout
            #expect(namespaces.contains(gateway.wanNamespace), "\(namespaces)")
            #expect(gateway.wanNamespace.hasPrefix(lab.id))
            return (lab.id, gateway.process, gateway.wanNamespace)
        }

        #expect(process.exitStatus != nil)
        #expect(kill(process.pid, 0) == -1 && errno == ESRCH, "miniupnpd (pid \(process.pid)) still exists")
        let namespaces = try await ChildProcess.run(["ip", "netns", "list"])
        #expect(!namespaces.stdout.contains(id), "\(namespaces.stdout)")
        #expect(!namespaces.stdout.contains(wanNamespace))
    }
}
