import NetworkAddresses
@testable import NetworkFrames

/// A tiny deterministic generator so that randomised tests replay exactly from their seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Bytes from a hex listing such as "ff ff 08 06"; whitespace is ignored so expected frames can
/// be laid out field by field as in the RFC diagrams.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.unicodeScalars.compactMap { UInt8(String($0), radix: 16) }
    precondition(digits.count == text.unicodeScalars.filter { !$0.properties.isWhitespace }.count, "bad hex")
    precondition(digits.count % 2 == 0, "odd hex")
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Parses a literal address in test code, where the text is known to be valid.
func address(_ text: String) -> IPAddress {
    guard let parsed = IPAddress(text) else {
        preconditionFailure("test address \(text) does not parse")
    }
    return parsed
}

func mac(_ text: String) -> MACAddress {
    guard let parsed = MACAddress(text) else {
        preconditionFailure("test MAC \(text) does not parse")
    }
    return parsed
}

extension SplitMix64 {
    mutating func bytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    mutating func macAddress() -> MACAddress {
        MACAddress(uncheckedRawValue: UInt64.random(in: 0...0xFFFF_FFFF_FFFF, using: &self))
    }

    mutating func ipv4() -> IPAddress {
        IPAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &self))
    }

    /// Unicast only (not ff00::/8), since multicast targets are refused by design.
    mutating func ipv6Unicast() -> IPAddress {
        let high = UInt64.random(in: 0...0xFEFF_FFFF_FFFF_FFFF, using: &self)
        let low = UInt64.random(in: 0...UInt64.max, using: &self)
        return IPAddress(ipv6: UInt128(high) << 64 | UInt128(low))
    }
}

/// Valid frames of every kind, the seeds for truncation and mutation tests.
enum SampleFrames {
    static let nodeMAC = MACAddress(0x02, 0, 0, 0, 0, 0x01)
    static let vip4 = IPAddress(ipv4: 0xC633_6464)  // 198.51.100.100
    static let vip6 = IPAddress(ipv6: 0x2001_0DB8 << 96 | 0x100)  // 2001:db8::100
    static let linkLocal = IPAddress(ipv6: 0xFE80 << 112 | 1)  // fe80::1

    static var gratuitousARP: [UInt8] {
        ARPPacket.gratuitousRequest(announcing: vip4, at: nodeMAC).ethernetFrame().encode()
    }

    static var advertisement: [UInt8] {
        NeighborDiscoveryPacket.unsolicitedAdvertisement(announcing: vip6, at: nodeMAC, from: linkLocal).encode()
    }

    static var solicitation: [UInt8] {
        NeighborDiscoveryPacket.duplicateAddressProbe(for: vip6).encode()
    }
}
