import NIOCore

/// One request to the API server, before authentication and transport concerns are added.
struct APIRequest: Sendable {
    var verb: HTTPVerb
    /// Starts with `/`, e.g. `/api/v1/namespaces/default/services/web`.
    var path: String
    var query: [(name: String, value: String)] = []
    var contentType: String?
    var body: ByteBuffer?
    /// Ask the server to close the connection after this response instead of keeping it for reuse.
    var closeConnection = false

    init(
        verb: HTTPVerb, path: String, query: [(name: String, value: String)] = [], contentType: String? = nil,
        body: ByteBuffer? = nil
    ) {
        self.verb = verb
        self.path = path
        self.query = query
        self.contentType = contentType
        self.body = body
    }

    /// Path plus the percent-encoded query. Label selectors carry `=`, `,` and `!`, so everything outside
    /// RFC 3986's unreserved set is encoded.
    var target: String {
        guard !query.isEmpty else { return path }
        let pairs = query.map { Self.encode($0.name) + "=" + Self.encode($0.value) }
        return path + "?" + pairs.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(hex[Int(byte >> 4)])
                encoded.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return encoded
    }
}

/// A complete 2xx answer.
struct APIResponse: Sendable {
    var code: Int
    var body: ByteBuffer
}
