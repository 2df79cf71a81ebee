/// An inclusive range of IPv4 addresses, for "the address came from this pool" checks in the tests.
struct IPv4Range: Sendable, CustomStringConvertible {
    let first: UInt32
    let last: UInt32
    let description: String

    /// `first...last`, both dotted quads written by the test itself.
    init(_ first: String, _ last: String) {
        self.first = Self.value(of: first) ?? 1
        self.last = Self.value(of: last) ?? 0  // an unreadable bound makes an empty range: every check fails
        description = "\(first)-\(last)"
    }

    func contains(_ address: String?) -> Bool {
        guard let address, let value = Self.value(of: address) else { return false }
        return first <= value && value <= last
    }

    static func value(of text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }
}
