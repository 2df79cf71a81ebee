import Foundation

/// Everything needed to talk to one API server, however it was found (kubeconfig, in-cluster, or built by
/// hand for the embedded server).
public struct ClientConfiguration: Sendable {
    /// `https://host:port` or, for the embedded development server, `http://127.0.0.1:port`.
    public var server: String
    /// Trusted CA for the server certificate; `nil` uses the system roots.
    public var certificateAuthority: PEMSource?
    public var insecureSkipTLSVerify: Bool
    public var bearerToken: TokenSource?
    public var clientCertificate: PEMSource?
    public var clientKey: PEMSource?
    /// The namespace of the current context (or the pod's namespace in-cluster); `default` otherwise.
    public var namespace: String
    /// Where this configuration came from, for log lines and error messages.
    public var origin: String

    public var rateLimit: RateLimit = RateLimit()
    public var retry: RetryPolicy = RetryPolicy()
    /// Bound on the response head of an ordinary request. Watches are not bounded this way.
    public var requestTimeout: Duration = .seconds(60)
    public var userAgent: String = "kube-vip-swift"

    public init(
        server: String, certificateAuthority: PEMSource? = nil, insecureSkipTLSVerify: Bool = false,
        bearerToken: TokenSource? = nil, clientCertificate: PEMSource? = nil, clientKey: PEMSource? = nil,
        namespace: String = "default", origin: String = "explicit"
    ) {
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.bearerToken = bearerToken
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.namespace = namespace
        self.origin = origin
    }
}

/// PEM text given inline (a kubeconfig's `…-data` keys, already base64-decoded) or as a file read when the
/// client starts.
public enum PEMSource: Sendable, Hashable {
    case file(String)
    case data(Data)

    func bytes() throws(ConfigurationError) -> [UInt8] {
        switch self {
        case .data(let data):
            return Array(data)
        case .file(let path):
            do {
                return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw .unreadable(path: path, reason: error.localizedDescription)
            }
        }
    }

    var label: String {
        switch self {
        case .file(let path): return path
        case .data: return "inline PEM data"
        }
    }
}

/// A bearer token: fixed, or a file that is re-read when it changes, because projected ServiceAccount tokens
/// are rotated by the kubelet (every hour or so) while the process keeps running.
public enum TokenSource: Sendable, Hashable {
    case literal(String)
    case file(String)
}

/// Client-side request rate limit (a token bucket).
///
/// client-go's 5 QPS / burst 10 would make a controller that patches thousands of Services after a restart
/// crawl for minutes; 50 / 100 keeps such a resync to seconds while staying polite to the API server.
public struct RateLimit: Sendable, Hashable {
    /// Sustained requests per second; zero or less turns limiting off.
    public var queriesPerSecond: Double
    public var burst: Int

    public init(queriesPerSecond: Double = 50, burst: Int = 100) {
        self.queriesPerSecond = queriesPerSecond
        self.burst = max(1, burst)
    }

    public static let unlimited = RateLimit(queriesPerSecond: 0, burst: 1)
}
