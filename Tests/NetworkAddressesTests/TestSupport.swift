import NetworkAddresses
import Testing

/// Parses an address the test relies on being valid, failing the test (not crashing) otherwise.
func address(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> IPAddress {
    try #require(IPAddress(text), "test address \(text) should parse", sourceLocation: sourceLocation)
}

func cidr(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> CIDR {
    try #require(CIDR(text), "test CIDR \(text) should parse", sourceLocation: sourceLocation)
}

/// The reason `IPAddress.parse` gives for `text`, or nil when it parses.
func addressParseFailure(_ text: String) -> String? {
    switch IPAddress.parse(text[...]) {
    case .success: nil
    case .failure(let error): error.description
    }
}

/// The reason `CIDR.parse` gives for `text`, or nil when it parses.
func cidrParseFailure(_ text: String) -> String? {
    switch CIDR.parse(text[...]) {
    case .success: nil
    case .failure(let error): error.description
    }
}

/// A small, fixed-seed generator so property-style tests are reproducible.
/// SplitMix64 (Steele, Lea and Flood, 2014).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

extension SplitMix64 {
    mutating func nextUInt128() -> UInt128 {
        UInt128(next()) << 64 | UInt128(next())
    }

    /// IPv6 values with many zero groups, so that "::" placement is exercised far more often
    /// than uniform values (which almost never contain zero groups) would.
    mutating func nextSparseIPv6() -> UInt128 {
        var value: UInt128 = 0
        for _ in 0..<8 {
            let group: UInt64 = next() % 3 == 0 ? next() & 0xFFFF : 0
            value = value << 16 | UInt128(group)
        }
        return value
    }
}

/// The eight 16-bit groups of an IPv6 value, most significant first.
func groups(of value: UInt128) -> [UInt16] {
    (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * $0)) }
}
