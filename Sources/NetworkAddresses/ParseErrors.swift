/// Why a piece of text is not an IP address.
///
/// Only `description` (a short reason meant for users) and equality are public; the cases behind
/// them stay internal so that reasons can be refined without breaking callers.
public struct AddressParseError: Error, Sendable, Equatable, CustomStringConvertible {
    internal enum Kind: Sendable, Equatable {
        case empty
        case invalidCharacter(Unicode.Scalar)
        case zoneNotAllowed(String)
        // IPv4 (also used for an IPv4 tail inside IPv6).
        case wrongOctetCount
        case emptyOctet
        case octetLeadingZero(String)
        case octetOutOfRange(String)
        // IPv6.
        case leadingSingleColon
        case trailingSingleColon
        case tripleColon
        case multipleDoubleColons
        case groupTooLong(String)
        case tooManyGroups
        case tooFewGroups
        case doubleColonWithoutZeros
        case embeddedIPv4NotLast
    }

    internal let kind: Kind

    internal init(_ kind: Kind) {
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .empty:
            "empty address"
        case .invalidCharacter(let scalar):
            "invalid character '\(scalar.escaped(asASCII: false))'"
        case .zoneNotAllowed(let zone):
            "zone identifiers ('\(zone)') are not allowed"
        case .wrongOctetCount:
            "expected 4 dotted octets"
        case .emptyOctet:
            "empty IPv4 octet"
        case .octetLeadingZero(let octet):
            "IPv4 octet '\(octet)' has a leading zero"
        case .octetOutOfRange(let octet):
            "octet \(octet) is out of range 0-255"
        case .leadingSingleColon:
            "IPv6 address starts with a single ':'"
        case .trailingSingleColon:
            "IPv6 address ends with a single ':'"
        case .tripleColon:
            "':::' is not valid"
        case .multipleDoubleColons:
            "more than one '::'"
        case .groupTooLong(let group):
            "IPv6 group '\(group)' is longer than 4 hex digits"
        case .tooManyGroups:
            "too many groups"
        case .tooFewGroups:
            "too few groups (expected 8, or '::')"
        case .doubleColonWithoutZeros:
            "'::' must stand for at least one zero group"
        case .embeddedIPv4NotLast:
            "an embedded IPv4 address must come last"
        }
    }
}

/// Why a piece of text is not a CIDR prefix.
public struct CIDRParseError: Error, Sendable, Equatable, CustomStringConvertible {
    internal enum Kind: Sendable, Equatable {
        case missingSlash
        case emptyPrefixLength
        case prefixLengthNotANumber(String)
        case prefixLengthLeadingZero(String)
        case prefixLengthOutOfRange(String, IPFamily)
        case badAddress(AddressParseError)
    }

    internal let kind: Kind

    internal init(_ kind: Kind) {
        self.kind = kind
    }

    /// The address error, when the part before the '/' was the problem.
    public var addressError: AddressParseError? {
        if case .badAddress(let error) = kind { error } else { nil }
    }

    public var description: String {
        switch kind {
        case .missingSlash:
            "missing '/<prefix length>'"
        case .emptyPrefixLength:
            "missing prefix length after '/'"
        case .prefixLengthNotANumber(let text):
            "prefix length '\(text)' is not a number"
        case .prefixLengthLeadingZero(let text):
            "prefix length '\(text)' has a leading zero"
        case .prefixLengthOutOfRange(let text, let family):
            "prefix length \(text) is out of range 0-\(family.bitWidth) for \(family)"
        case .badAddress(let error):
            "bad address: \(error)"
        }
    }
}
