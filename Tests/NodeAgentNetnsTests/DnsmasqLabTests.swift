import Foundation
import LinuxNetwork
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import NetworkLab
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("DnsmasqLab lease file and command line")
struct DnsmasqLabParsingTests {
    @Test("lease lines give expiry, MAC, address, and hostname and client id unless '*'")
    func leaseLines() {
        let text = """
            1795705298 02:00:00:00:01:01 198.51.100.52 * 01:02:00:00:00:01:01
            1795705310 02:00:00:00:01:02 198.51.100.53 vip-web *
            0 02:00:00:00:01:03 198.51.100.54 * *

            """
        #expect(
            DnsmasqLease.parse(text) == [
                DnsmasqLease(
                    expiry: 1_795_705_298, mac: "02:00:00:00:01:01", address: "198.51.100.52",
                    clientID: "01:02:00:00:00:01:01"),
                DnsmasqLease(expiry: 1_795_705_310, mac: "02:00:00:00:01:02", address: "198.51.100.53", hostname: "vip-web"),
                DnsmasqLease(expiry: 0, mac: "02:00:00:00:01:03", address: "198.51.100.54"),
            ])
    }

    @Test("DHCPv6 lines after the duid line and malformed lines are skipped")
    func otherLines() {
        let text = """
            garbage
            1795705298 02:00:00:00:01:01 198.51.100.52 * *
            duid 00:01:00:01:2c:5f:1a:2b:02:00:00:00:00:01
            1795705298 1234 2001:db8::52 * 00:01:00:01
            """
        #expect(DnsmasqLease.parse(text).map(\.address) == ["198.51.100.52"])
    }

    @Test("an empty lease file has no leases")
    func emptyFile() {
        #expect(DnsmasqLease.parse("").isEmpty)
    }

    @Test("the command line is the testbed's, with T1, T2 and reservations when given")
    func commandLine() {
        var configuration = DnsmasqConfiguration.testbed
        configuration.renewalTime = 30
        configuration.rebindingTime = 50
        configuration.reservations = [(mac: "02:00:00:00:01:01", ip: "198.51.100.60")]
        let arguments = configuration.arguments(
            leaseFile: URL(fileURLWithPath: "/s/l"), logFile: URL(fileURLWithPath: "/s/log"),
            pidFile: URL(fileURLWithPath: "/s/pid"))
        #expect(arguments.first == "dnsmasq")
        for expected in [
            "--keep-in-foreground", "--conf-file=/dev/null", "--port=0", "--interface=eth0", "--bind-interfaces",
            "--dhcp-range=198.51.100.50,198.51.100.79,255.255.255.0,2m", "--dhcp-leasefile=/s/l", "--no-ping",
            "--log-dhcp", "--log-facility=/s/log", "--pid-file=/s/pid", "--dhcp-authoritative",
            "--dhcp-option=option:T1,30", "--dhcp-option=option:T2,50", "--dhcp-host=02:00:00:00:01:01,198.51.100.60",
        ] {
            #expect(arguments.contains(expected), "\(expected) in \(arguments)")
        }
    }
}

/// A real dnsmasq in a lab host, and a DHCP client made of our own frame codec sending through a macvlan
/// of the Linux driver in another host (no DHCP client program is installed here, and none is needed).
@Suite(
    "DnsmasqLab servers",
    .enabled(if: NetworkLab.unavailableReason() == nil, "\(NetworkLab.unavailableReason() ?? "")"),
    .enabled(if: DnsmasqServer.isInstalled, "dnsmasq is not installed (package dnsmasq-base)"),
    .timeLimit(.minutes(1))
)
struct DnsmasqLabTests {
    static let hosts: [HostSpec] = [.host("dhcpd", 1), .host("client", 13)]
    static let clientMAC = MACAddress(0x02, 0, 0, 0, 0x01, 0x01)

    @Test("dnsmasq starts serving its range with an empty lease file, and stop() ends its process")
    func startAndStop() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            let server = try await DnsmasqServer.start(in: lab, host: try lab.host("dhcpd"))

            #expect(server.process.isRunning)
            let range = server.logLines(containing: "DHCP, IP range 198.51.100.50 -- 198.51.100.79")
            #expect(range.count == 1, "\(server.log())")
            #expect(FileManager.default.fileExists(atPath: server.leaseFileURL.path))
            #expect(server.leases().isEmpty)

            await server.stop()

            #expect(!server.process.isRunning)
            #expect(kill(server.process.pid, 0) == -1 && errno == ESRCH, "no process is left with its PID")
        }
    }

    @Test("a client gets a lease that shows in the lease file, with the configured T1 and T2")
    func lease() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            var configuration = DnsmasqConfiguration.testbed
            configuration.renewalTime = 30
            configuration.rebindingTime = 50
            let server = try await DnsmasqServer.start(in: lab, host: try lab.host("dhcpd"), configuration: configuration)
            let client = try await DHCPTestClient(in: try lab.host("client"), mac: Self.clientMAC)

            let ack = try await client.acquire()

            let address = "\(ack.yourAddress)"
            #expect(ack.options.renewalTime == 30)
            #expect(ack.options.rebindingTime == 50)
            #expect(ack.options.leaseTime == 120)
            let lease = try #require(server.lease(for: "\(Self.clientMAC)"), "\(server.log())")
            #expect(lease.address == address)
            #expect(lease.clientID == "01:02:00:00:00:01:01")
            let now = Int(Date().timeIntervalSince1970)
            #expect(abs(lease.expiry - (now + 120)) <= 5, "\(lease) at \(now)")
            #expect(server.logLines(containing: "DHCPACK(eth0) \(address) \(Self.clientMAC)").count == 1, "\(server.log())")
            await client.close()
        }
    }

    @Test("a reservation gives the client its fixed address")
    func reservation() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            var configuration = DnsmasqConfiguration.testbed
            configuration.reservations = [(mac: "\(Self.clientMAC)", ip: "198.51.100.77")]
            let server = try await DnsmasqServer.start(in: lab, host: try lab.host("dhcpd"), configuration: configuration)
            let client = try await DHCPTestClient(in: try lab.host("client"), mac: Self.clientMAC)

            let ack = try await client.acquire()

            #expect("\(ack.yourAddress)" == "198.51.100.77")
            #expect(server.leases().map(\.address) == ["198.51.100.77"])
            await client.close()
        }
    }

    @Test("a server started on the lease file of a stopped one knows its leases")
    func restartKeepsLeases() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            let host = try lab.host("dhcpd")
            let first = try await DnsmasqServer.start(in: lab, host: host)
            let client = try await DHCPTestClient(in: try lab.host("client"), mac: Self.clientMAC)
            let ack = try await client.acquire()
            await first.stop()

            let second = try await DnsmasqServer.start(in: lab, host: host, leaseFile: first.leaseFileURL)

            #expect(second.leases().map(\.address) == ["\(ack.yourAddress)"])
            #expect(second.logURL != first.logURL)
            await client.close()
        }
    }

    @Test("a tool started with readyWhen sees the traffic that follows (tcpdump of a DHCP exchange)")
    func tcpdumpOfAnExchange() async throws {
        try await NetworkLab.with(hosts: Self.hosts) { lab in
            try #require(NetworkLab.missingTools(["tcpdump"]).isEmpty, "tcpdump is not installed")
            let host = try lab.host("dhcpd")
            _ = try await DnsmasqServer.start(in: lab, host: host)
            let tcpdump = try await lab.start(
                in: host,
                ["tcpdump", "-i", "eth0", "-n", "-l", "--immediate-mode", "-v", "udp port 67 or udp port 68"],
                readyWhen: "listening on")
            let client = try await DHCPTestClient(in: try lab.host("client"), mac: Self.clientMAC)

            _ = try await client.acquire()

            let output = try await NetworkLab.eventually("tcpdump to print the ACK", within: .seconds(5)) {
                let output = tcpdump.stdout
                return output.contains("DHCP-Message (53), length 1: ACK") ? output : nil
            } diagnostics: {
                "\(tcpdump.stdout)\n\(tcpdump.stderr)"
            }
            await tcpdump.stop()
            for type in ["Discover", "Offer", "Request"] {
                #expect(output.contains("DHCP-Message (53), length 1: \(type)"), "\(type) in\n\(output)")
            }
            await client.close()
        }
    }

    @Test("run(in:for:) stops a tool that would run on and returns its output")
    func runForADuration() async throws {
        try await NetworkLab.with(hosts: [.host("a", 11)]) { lab in
            let start = ContinuousClock.now

            let result = try await lab.run(
                in: try lab.host("a"), ["sh", "-c", "echo started; exec sleep 30"], for: .milliseconds(300))

            let elapsed = ContinuousClock.now - start
            #expect(result.stdout == "started\n")
            #expect(result.status == .signalled(SIGTERM))
            #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(25), "stopped well before sleep's 30 s: \(elapsed)")
        }
    }
}

/// DISCOVER, OFFER, REQUEST, ACK from a macvlan (created through `LinuxNetworkDriver`, as DHCP mode does)
/// in a lab host, with the frames built by `DHCPFrame`.
struct DHCPTestClient {
    let driver: LinuxNetworkDriver
    let link: Int32
    let mac: MACAddress
    let capture: any FrameCapture

    init(in host: LabHost, mac: MACAddress) async throws {
        driver = try LinuxNetworkDriver(networkNamespace: host.namespace)
        let eth0 = try #require(try await driver.links().first { $0.name == "eth0" })
        link = try await driver.createMacvlan(name: "mv0", parent: eth0.index, hardwareAddress: mac).index
        self.mac = mac
        capture = try await driver.capture(link: link, etherType: .ipv4)
    }

    func close() async {
        await capture.close()
    }

    /// The server's ACK; throws on a NAK or when no answer comes.
    func acquire() async throws -> DHCPMessage {
        let transactionID = UInt32.random(in: 0...UInt32.max)
        let offer = try await exchange(message(.discover, transactionID: transactionID), expecting: .offer)
        var requestOptions = options(.request)
        requestOptions.requestedAddress = offer.yourAddress
        requestOptions.serverIdentifier = offer.options.serverIdentifier
        let request = DHCPMessage(
            operation: .request, transactionID: transactionID, broadcast: true, clientHardwareAddress: mac,
            options: requestOptions)
        return try await exchange(request, expecting: .ack)
    }

    private func options(_ type: DHCPMessageType) -> DHCPOptions {
        DHCPOptions(messageType: type, parameterRequestList: [1, 3, 51, 54, 58, 59], clientIdentifier: [1] + mac.bytes)
    }

    private func message(_ type: DHCPMessageType, transactionID: UInt32) -> DHCPMessage {
        DHCPMessage(
            operation: .request, transactionID: transactionID, broadcast: true, clientHardwareAddress: mac,
            options: options(type))
    }

    /// Sends `message` (again every second, as a client retransmits) until the reply of `type` comes.
    private func exchange(_ message: DHCPMessage, expecting type: DHCPMessageType) async throws -> DHCPMessage {
        let frame = DHCPFrame.encode(
            message, sourceHardwareAddress: mac, destinationHardwareAddress: .broadcast, source: .ipv4Unspecified,
            destination: .ipv4Broadcast)
        var undecodable: [String] = []
        for _ in 0..<5 {
            try await driver.send(frame: frame, link: link)
            let deadline = ContinuousClock.now + .seconds(1)
            while ContinuousClock.now < deadline {
                guard let received = try await capture.next(timeout: deadline - ContinuousClock.now) else { break }
                let reply: DHCPMessage
                do {
                    reply = try DHCPFrame.decode(received).message
                } catch {
                    undecodable.append("\(error)")
                    continue
                }
                guard reply.operation == .reply, reply.transactionID == message.transactionID else { continue }
                if reply.options.messageType == .nak {
                    throw DHCPTestClientError(description: "NAK: \(reply.options.message ?? "")")
                }
                if reply.options.messageType == type { return reply }
            }
        }
        let sent = message.options.messageType.map { "\($0)" } ?? "?"
        throw DHCPTestClientError(description: "no \(type) for \(sent); frames not decoded: \(undecodable)")
    }
}

struct DHCPTestClientError: Error, CustomStringConvertible {
    var description: String
}
