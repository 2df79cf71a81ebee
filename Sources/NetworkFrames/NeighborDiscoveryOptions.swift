/// The RFC 4861 §4.6 option list that ends every neighbour discovery message.
internal enum NeighborDiscoveryOptions {
    static let sourceLinkLayerAddress: UInt8 = 1
    static let targetLinkLayerAddress: UInt8 = 2

    /// Type, length 1 (8 bytes), then the 6-byte Ethernet address.
    static func encodeLinkLayerAddress(type: UInt8, _ address: MACAddress) -> [UInt8] {
        [type, 1] + address.bytes
    }

    /// The first link-layer address option of `wantedType`, after checking that every option is
    /// well formed. Other option types are skipped, as RFC 4861 §4.6 requires for unknown ones.
    static func linkLayerAddress(ofType wantedType: UInt8, in bytes: [UInt8]) throws(FrameDecodingError) -> MACAddress? {
        var reader = ByteReader(bytes, layer: .neighborDiscoveryOption)
        var found: MACAddress? = nil
        while reader.remaining > 0 {
            let type = try reader.readUInt8()
            let length = try reader.readUInt8()
            guard length > 0 else {
                throw .zeroLengthOption(type: type)
            }
            let body = try reader.readBytes(Int(length) * 8 - 2)
            guard type == sourceLinkLayerAddress || type == targetLinkLayerAddress else {
                continue
            }
            guard length == 1 else {
                throw .unsupportedLinkLayerOptionLength(type: type, length: length)
            }
            if type == wantedType && found == nil {
                found = MACAddress(bytes: body.prefix(6))
            }
        }
        return found
    }
}
