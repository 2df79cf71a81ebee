/// Why the data directory could not be loaded. The store refuses to start rather than run without some of
/// a user's objects, so the message says which file and line, and what the user can do.
public struct StoreLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; `nil` when the problem is with the file as a whole.
    public var line: Int?
    public var reason: String

    public init(file: String, line: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return "\(place): \(reason). The stored objects cannot be loaded; move the file away (or the whole data "
            + "directory) to start afresh, or run with --ephemeral to keep everything in memory."
    }
}
