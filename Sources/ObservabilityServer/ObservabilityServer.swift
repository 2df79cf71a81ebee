import Hummingbird
import Logging
import ServiceLifecycle

/// The plain-HTTP port every long-running role serves for Prometheus and for kubelet probes.
///
/// - `GET /metrics`: the registry in the Prometheus text format.
/// - `GET /healthz`, `/livez` (liveness checks) and `/readyz` (readiness checks): 200 "ok" when every check
///   passes, else 503 listing every check and why the failing ones fail. `?verbose` lists the checks on
///   success too, `?exclude=NAME` (repeatable) skips one, and `/readyz/NAME` asks for a single check, all as
///   kube-apiserver does.
/// - HEAD works wherever GET does; any other path is 404.
///
/// There is no TLS and no authentication, as with kube-vip's own metrics port: bind it to loopback or a
/// node-internal address when the reasons in failing checks should not be public.
public struct ObservabilityServer: Service {
    private let address: BindAddress
    private let metrics: MetricsRegistry
    private let health: HealthChecks
    private let logger: Logger
    private let port = ListeningPort()

    public init(address: BindAddress, metrics: MetricsRegistry, health: HealthChecks, logger: Logger) {
        self.address = address
        self.metrics = metrics
        self.health = health
        self.logger = logger
    }

    /// Serves until cancelled or until graceful shutdown, which lets in-flight requests finish. Throws when
    /// the address cannot be bound (a port in use, an unknown host).
    public func run() async throws {
        let port = self.port
        let address = self.address
        let logger = self.logger
        let application = Application(
            responder: ObservabilityResponder(metrics: metrics, health: health, logger: logger),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? address.port
                logger.info(
                    "serving metrics and health checks",
                    metadata: ["address": "\(BindAddress(host: address.host, port: bound))"])
                port.bound(bound)
            },
            logger: logger)
        do {
            try await application.run()
        } catch {
            port.stopped()
            throw error
        }
        port.stopped()
    }

    /// The bound port, which is how a caller that asked for port 0 learns it. Waits until the server listens
    /// rather than answering nil too early, so nobody has to poll; nil when the server stopped without ever
    /// listening, or when the calling task is cancelled (wrap the call in a timeout if `run()` may never be
    /// called). Once listening, the answer stays the same.
    public func listeningPort() async -> Int? {
        await port.wait()
    }
}
