import Foundation

/// Hands out the bearer token for each request.
///
/// A file-backed token (in-cluster ServiceAccount, kubeconfig `tokenFile`) is rotated by the kubelet while
/// we run, so the file's modification time is checked at most every `recheckInterval`, and the file is
/// re-read at once after a 401 (`invalidate()`), so a rotated token keeps working without a restart.
public actor BearerTokenProvider {
    private let source: TokenSource
    private let recheckInterval: Duration
    private let clock: ClientClock
    private var cached: String?
    private var modificationDate: Date?
    private var checkedAt: Duration?

    public init(_ source: TokenSource, recheckInterval: Duration = .seconds(60), clock: ClientClock = .continuous) {
        self.source = source
        self.recheckInterval = recheckInterval
        self.clock = clock
    }

    /// Whether a 401 may be cured by reading the token again.
    public nonisolated var canRefresh: Bool {
        if case .file = source { return true }
        return false
    }

    /// The token to send. Throws when a token file cannot be read and no earlier token is known.
    public func token() throws(ConfigurationError) -> String {
        switch source {
        case .literal(let token):
            return token
        case .file(let path):
            let now = clock.now
            if let cached, let checkedAt, now - checkedAt < recheckInterval {
                return cached
            }
            checkedAt = now
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let modified = attributes?[.modificationDate] as? Date
            if let cached, modified != nil, modified == modificationDate {
                return cached
            }
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
                cached = token
                modificationDate = modified
                return token
            } catch {
                // Keep using the last good token: a rotation in progress can briefly remove the file.
                if let cached { return cached }
                throw .unreadable(path: path, reason: error.localizedDescription)
            }
        }
    }

    /// Forces the next `token()` to read the file, whatever its modification time says.
    public func invalidate() {
        checkedAt = nil
        modificationDate = nil
    }
}
