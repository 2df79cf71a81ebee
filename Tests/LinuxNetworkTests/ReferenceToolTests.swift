import Foundation
import LinuxNetwork
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Testing

/// Our encoders' frames, sent through the driver, against what tcpdump captures and how it reads
/// them, and against the frame of a reference implementation (iputils arping).
@Suite(.enabled(if: NamespacePair.isAvailable && Commands.path(of: "tcpdump") != nil, "needs root, ip netns and tcpdump"))
struct ReferenceToolTests {
    static let linkLocalA = IPAddress(ipv6: 0xFE80 << 112 | 0x00FF_FE00_0001)  // fe80::ff:fe00:1, from macA
    static let peerIPv6 = IPAddress(ipv6: 0x2001_0db8 << 96 | 0x12)

    /// Gratuitous request, gratuitous reply, ARP probe, unsolicited advertisement, DAD probe.
    static let frames: [[UInt8]] = {
        let vip = AddressTests.vip
        let mac = NamespacePair.macA
        let probe = NeighborDiscoveryPacket.duplicateAddressProbe(for: peerIPv6)
        let advertisement = NeighborDiscoveryPacket.unsolicitedAdvertisement(
            announcing: AddressTests.vip6, at: mac, from: linkLocalA)
        return [
            ARPPacket.gratuitousRequest(announcing: vip, at: mac).ethernetFrame().encode(),
            ARPPacket.gratuitousReply(announcing: vip, at: mac).ethernetFrame().encode(),
            ARPPacket.probe(for: IPAddress(ipv4: 0xC633_640C), from: mac).ethernetFrame().encode(),
            advertisement.ethernetFrame(source: mac, destination: MACAddress(ipv6Multicast: .ipv6AllNodes) ?? .broadcast)
                .encode(),
            probe.ethernetFrame(source: mac, destination: MACAddress(ipv6Multicast: probe.destination) ?? .broadcast)
                .encode(),
        ]
    }()

    @Test func tcpdumpCapturesOurFramesByteForByte() async throws {
        let pcap = try await Self.captureOurFrames()
        #expect(pcap.linkType == PcapFile.ethernetLinkType)
        #expect(pcap.frames.count == Self.frames.count)
        for (captured, sent) in zip(pcap.frames, Self.frames) {
            #expect(captured == sent)
        }
    }

    @Test func tcpdumpDecodesOurFramesAsIntended() async throws {
        let text = try await Self.captureOurFrames { file in
            try await Commands.run(["tcpdump", "-r", file.path, "-n", "-e", "-vv"]).output
        }
        let lines = text.split(separator: "\n").map(String.init)
        try #require(lines.count >= 5, "\(text)")
        // The target MAC of the gratuitous request is broadcast (as iputils sends it), which
        // tcpdump prints in parentheses.
        #expect(lines[0].contains("Request who-has 198.51.100.100 (ff:ff:ff:ff:ff:ff) tell 198.51.100.100"), "\(lines[0])")
        #expect(lines[1].contains("Reply 198.51.100.100 is-at 02:00:00:00:00:01"), "\(lines[1])")
        #expect(lines[2].contains("Request who-has 198.51.100.12 tell 0.0.0.0"), "\(lines[2])")
        let advertisement = lines[3...].joined(separator: "\n")
        #expect(advertisement.contains("fe80::ff:fe00:1 > ff02::1: [icmp6 sum ok] ICMP6, neighbor advertisement, length 32, tgt is 2001:db8::100, Flags [override]"), "\(text)")
        // tcpdump names option 2 (RFC 4861's target link-layer address) "destination link-address".
        #expect(advertisement.contains("destination link-address option (2), length 8 (1): 02:00:00:00:00:01"), "\(text)")
        #expect(advertisement.contains(":: > ff02::1:ff00:12: [icmp6 sum ok] ICMP6, neighbor solicitation, length 24, who has 2001:db8::12"), "\(text)")
        #expect(advertisement.contains("hlim 255"), "\(text)")
        #expect(!text.contains("bad cksum") && !text.contains("bad icmp6 cksum"), "\(text)")
    }

    @Test(.enabled(if: Commands.path(of: "arping") != nil, "needs iputils arping"))
    func arpingSendsTheSameGratuitousRequestAsOurEncoder() async throws {
        try await NamespacePair.with(quietA: true) { pair in
            try await pair.ip(pair.a, "addr", "add", "198.51.100.100/32", "dev", "eth0")
            let (driver, link) = try await pair.driver(for: pair.b)
            let capture = try await driver.capture(link: link, etherType: .arp)
            try await withTemporaryDirectory { directory in
                let arping = try BackgroundProcess(
                    ["ip", "netns", "exec", pair.a, "arping", "-U", "-c", "1", "-I", "eth0", "198.51.100.100"],
                    errorFile: directory.appendingPathComponent("arping.err"))
                defer { arping.kill() }

                let frame = try await capture.next(timeout: .seconds(1))
                #expect(frame == FrameTests.gratuitousRequest)
            }
            await capture.close()
        }
    }

    /// Sends our frames from A while tcpdump writes what B sees to a pcap file; returns what `read`
    /// makes of the file (the parsed file by default).
    static func captureOurFrames() async throws -> PcapFile {
        try await captureOurFrames { file in try PcapFile(Array(Data(contentsOf: file))) }
    }

    static func captureOurFrames<Result>(read: (URL) async throws -> Result) async throws -> Result {
        try await NamespacePair.with(quietA: true) { pair in
            try await withTemporaryDirectory { directory in
                let file = directory.appendingPathComponent("capture.pcap")
                let tcpdump = try BackgroundProcess(
                    [
                        "ip", "netns", "exec", pair.b, "tcpdump", "-i", "eth0", "--immediate-mode", "-U", "-w", file.path,
                        "-c", "\(frames.count)", "ether src \(NamespacePair.macA)",
                    ],
                    errorFile: directory.appendingPathComponent("tcpdump.err"))
                defer { tcpdump.kill() }
                try await tcpdump.waitForErrorOutput(containing: "listening on")

                let (driver, link) = try await pair.driver(for: pair.a)
                for frame in frames {
                    try await driver.send(frame: frame, link: link)
                }
                try await tcpdump.waitForExit(timeout: .seconds(2))
                return try await read(file)
            }
        }
    }
}
