/// The frames of a classic pcap file (what `tcpdump -w` writes): a 24-byte global header, then
/// per frame a 16-byte record header and the captured bytes.
struct PcapFile {
    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    /// DLT_EN10MB
    static let ethernetLinkType: UInt32 = 1

    var linkType: UInt32
    var frames: [[UInt8]]

    init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 24 else { throw FormatError(description: "\(bytes.count) bytes, no global header") }
        let magic = Self.uint32(bytes, at: 0, bigEndian: false)
        let bigEndian: Bool
        switch magic {
        case 0xA1B2_C3D4, 0xA1B2_3C4D: bigEndian = false
        case 0xD4C3_B2A1, 0x4D3C_B2A1: bigEndian = true
        default: throw FormatError(description: "magic \(String(magic, radix: 16))")
        }
        linkType = Self.uint32(bytes, at: 20, bigEndian: bigEndian)
        frames = []
        var offset = 24
        while offset < bytes.count {
            guard offset + 16 <= bytes.count else { throw FormatError(description: "truncated record header") }
            let length = Int(Self.uint32(bytes, at: offset + 8, bigEndian: bigEndian))
            offset += 16
            guard offset + length <= bytes.count else { throw FormatError(description: "truncated record") }
            frames.append(Array(bytes[offset..<offset + length]))
            offset += length
        }
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int, bigEndian: Bool) -> UInt32 {
        let value = bytes[offset..<offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return bigEndian ? value.byteSwapped : value
    }
}
