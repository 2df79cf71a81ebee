import Hummingbird
import Logging
import ServiceLifecycle

/// Where the embedded API server listens and how it stores objects.
public struct APIServerConfiguration: Sendable {
    /// Loopback by default: the server has no authentication, so it must not be reachable from elsewhere.
    public var host: String = "127.0.0.1"
    /// 0 picks a free port; ask `EmbeddedAPIServer.listeningPort()` which one.
    public var port: Int = 0
    public var store: StoreConfiguration = StoreConfiguration()
    /// How often every watch that allows bookmarks receives one (kube-apiserver: about once a minute).
    public var bookmarkInterval: Duration = .seconds(55)
    /// Asked about every request before it is served; `false` answers a resource request with kube-apiserver's
    /// 403 Forbidden. Off (nil) by default: the server has no users. Tests set it to hold a role to the RBAC
    /// rules its manifests grant (`RBACPolicy`) and to record what the role calls (`RequestLog`).
    /// Non-resource requests (discovery, `/version`, `/openapi`, health) are shown to it too, so that they can
    /// be recorded, but always served, as every cluster lets every user read them.
    public var authorizer: (@Sendable (RequestAttributes) -> Bool)?

    public init(host: String = "127.0.0.1", port: Int = 0, store: StoreConfiguration = StoreConfiguration()) {
        self.host = host
        self.port = port
        self.store = store
    }
}

/// A Kubernetes-API-compatible HTTP server over an in-memory (optionally journalled) `ObjectStore`, for
/// `kube-vip dev` and for tests that drive the real kubectl or our client against it.
///
/// It serves discovery, a stub OpenAPI v3 for `kubectl apply`, CRUD with JSON, YAML and protobuf bodies, four
/// kinds of PATCH, Tables for `kubectl get`, and chunked watches with bookmarks. There is no authentication,
/// no admission and no garbage collection.
public final class EmbeddedAPIServer: Service, Sendable {
    public let store: ObjectStore
    private let configuration: APIServerConfiguration
    private let logger: Logger
    private let address = ListeningAddress()

    /// Opens the store (loading its data directory, if any); the server starts listening in `run()`.
    public init(configuration: APIServerConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.store = try ObjectStore(configuration: configuration.store, logger: logger)
    }

    /// Serves until cancelled or until graceful shutdown, which first ends every open watch (clients see the
    /// stream end, as when a real API server restarts) so that in-flight requests can drain; then closes the
    /// store.
    public func run() async throws {
        let address = self.address
        let store = self.store
        let application = Application(
            responder: APIResponder(
                store: store, settings: WatchSettings(), authorizer: configuration.authorizer, logger: logger),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                address.bound(port: channel.localAddress?.port ?? 0)
            },
            logger: logger)
        let bookmarkInterval = configuration.bookmarkInterval
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // A timer, not synchronisation: periodic bookmarks keep idle watchers' resourceVersions fresh.
                    while (try? await Task.sleep(for: bookmarkInterval)) != nil {
                        await store.emitBookmarks()
                    }
                }
                group.addTask {
                    // The journal batches fsyncs; this bounds what a machine crash can lose to one second.
                    while (try? await Task.sleep(for: .seconds(1))) != nil {
                        do {
                            try await store.flush()
                        } catch {
                            self.logger.error("cannot sync the journal to disk: \(error)")
                        }
                    }
                }
                group.addTask {
                    guard (try? await gracefulShutdown()) != nil else { return }
                    await store.closeAllWatches()
                }
                try await application.run()
                group.cancelAll()
            }
        } catch {
            address.failed(error)
            try? await closeStore()
            throw error
        }
        address.failed(APIServerNotRunning(description: "the API server has stopped"))
        try await closeStore()
    }

    /// The bound port; waits until the server listens (useful with port 0). Throws if the server stopped first.
    public func listeningPort() async throws -> Int {
        try await address.port()
    }

    /// A kubeconfig (YAML) for this server: cluster, user and context `kube-vip-dev`, `server: http://HOST:PORT`.
    public static func kubeconfig(host: String, port: Int) -> String {
        KubeconfigText.make(host: host, port: port)
    }

    private func closeStore() async throws {
        do {
            try await store.close()
        } catch {
            logger.error("closing the object store failed", metadata: ["error": "\(error)"])
            throw error
        }
    }
}
