import Foundation

/// `meta/v1` `Time`: an RFC 3339 timestamp with whole seconds (`2024-05-01T12:00:00Z`), as in an Event's
/// `firstTimestamp`. Fractions are accepted on input and dropped, as kube-apiserver does.
public struct Timestamp: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }
    public init(_ date: Date) { self.secondsSinceEpoch = Int64(date.timeIntervalSince1970.rounded(.down)) }

    public init?(rfc3339 text: String) {
        guard let micros = RFC3339.parseMicroseconds(text) else { return nil }
        self.secondsSinceEpoch = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
    }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(secondsSinceEpoch)) }
    public var description: String { RFC3339.format(microseconds: secondsSinceEpoch * 1_000_000, fractionDigits: 0) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Timestamp(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not an RFC 3339 timestamp")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }
}

/// `meta/v1` `MicroTime`: RFC 3339 with exactly six fractional digits (`2024-05-01T12:00:00.123456Z`), as in
/// a Lease's `renewTime`. Leader election compares these across replicas, so microseconds must survive a
/// round trip.
public struct MicroTime: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) { self.microsecondsSinceEpoch = microsecondsSinceEpoch }
    public init(_ date: Date) {
        self.microsecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    public init?(rfc3339 text: String) {
        guard let micros = RFC3339.parseMicroseconds(text) else { return nil }
        self.microsecondsSinceEpoch = micros
    }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(microsecondsSinceEpoch) / 1_000_000) }
    public var description: String { RFC3339.format(microseconds: microsecondsSinceEpoch, fractionDigits: 6) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = MicroTime(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not an RFC 3339 timestamp")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }
}
