/// Why a protobuf request body could not be read; the embedded server turns it into a 400 or 415 `Status`.
public struct ProtobufDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    /// True when the bytes were fine but the kind has no decoder here, so the client should send JSON
    /// (415 Unsupported Media Type rather than 400 Bad Request).
    public var isUnsupportedKind: Bool

    public init(_ description: String, isUnsupportedKind: Bool = false) {
        self.description = description
        self.isUnsupportedKind = isUnsupportedKind
    }
}
