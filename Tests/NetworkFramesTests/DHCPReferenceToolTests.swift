import Foundation
import NetworkAddresses
import NetworkFrames
import NetworkLab
import Testing

/// Where tcpdump is installed, if it is.
private let tcpdumpPath: String? = [
    "/usr/bin/tcpdump", "/usr/sbin/tcpdump", "/usr/local/bin/tcpdump", "/usr/local/sbin/tcpdump",
].first { FileManager.default.isExecutableFile(atPath: $0) }

/// tcpdump's independent DHCP dissector reading our frames from a pcap file: reading a file needs
/// neither root nor a network, so this runs wherever tcpdump is installed.
@Suite(.enabled(if: tcpdumpPath != nil, "needs tcpdump (apt-get install tcpdump)"))
struct DHCPReferenceToolTests {

    /// The sample DISCOVER (hostname, requested IP, client id) and an OFFER from our encoder.
    static let frames: [[UInt8]] = [
        DHCPFrame.encode(
            DHCPSamples.discoverMessage, sourceHardwareAddress: DHCPSamples.clientMAC,
            destinationHardwareAddress: .broadcast, source: .ipv4Unspecified, destination: .ipv4Broadcast),
        DHCPSamples.serverFrame(DHCPSamples.replyMessage(.offer)),
    ]

    @Test func tcpdumpDecodesOurDHCPFramesAsIntended() throws {
        let text = try Self.tcpdumpOutput(for: Self.frames)
        #expect(!text.contains("bad cksum") && !text.contains("bad udp cksum"), "\(text)")
        #expect(text.components(separatedBy: "[udp sum ok]").count == 3, "\(text)")
        #expect(text.contains("0.0.0.0.68 > 255.255.255.255.67"), "\(text)")
        #expect(text.contains("ttl 64, id 0, offset 0, flags [none], proto UDP (17), length 328"), "\(text)")
        #expect(text.contains("Request from 02:00:00:00:01:01, length 300, xid 0x3903f326"), "\(text)")
        #expect(text.contains("DHCP-Message (53), length 1: Discover"), "\(text)")
        #expect(text.contains("Hostname (12), length 8: \"vip-1234\""), "\(text)")
        #expect(text.contains("Requested-IP (50), length 4: 198.51.100.50"), "\(text)")
        #expect(text.contains("MSZ (57), length 2: 1500"), "\(text)")
        #expect(text.contains("Client-ID (61), length 7: ether 02:00:00:00:01:01"), "\(text)")
        #expect(text.contains("198.51.100.1.67 > 198.51.100.50.68"), "\(text)")
        #expect(text.contains("DHCP-Message (53), length 1: Offer"), "\(text)")
        #expect(text.contains("Your-IP 198.51.100.50"), "\(text)")
        #expect(text.contains("Server-ID (54), length 4: 198.51.100.1"), "\(text)")
        #expect(text.contains("Lease-Time (51), length 4: 120"), "\(text)")
        #expect(text.contains("Default-Gateway (3), length 4: 198.51.100.1"), "\(text)")
    }

    /// Writes `frames` to a classic pcap file (Ethernet link type) and returns `tcpdump -r -vv -n`.
    static func tcpdumpOutput(for frames: [[UInt8]]) throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dhcp-codec-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("dhcp.pcap")
        try Data(pcap(frames)).write(to: file)

        let result = try ChildProcess.runBlocking([tcpdumpPath ?? "tcpdump", "-r", file.path, "-vv", "-n"])
        try #require(result.succeeded, "tcpdump: \(result)")
        return result.stdout
    }

    /// Global header (little-endian magic, version 2.4, snaplen 65535, link type 1), then per frame
    /// a record header with a fixed timestamp and the captured and original lengths.
    static func pcap(_ frames: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        func little<Value: FixedWidthInteger>(_ value: Value) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        little(UInt32(0xA1B2_C3D4))
        little(UInt16(2))
        little(UInt16(4))
        little(Int32(0))
        little(UInt32(0))
        little(UInt32(65535))
        little(UInt32(1))
        for (index, frame) in frames.enumerated() {
            little(UInt32(1_700_000_000 + index))
            little(UInt32(0))
            little(UInt32(frame.count))
            little(UInt32(frame.count))
            bytes.append(contentsOf: frame)
        }
        return bytes
    }
}
