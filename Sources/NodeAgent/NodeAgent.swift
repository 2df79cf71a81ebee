import IPAM
import KubeVipConventions
import KubernetesClient
import KubernetesModels
import LeaderElection
import Logging
import Metrics
import NetworkAddresses
import NetworkDriver
import ServiceLifecycle
import UPnP
import Synchronization

/// The node agent (`kube-vip manager`): makes the addresses of the LoadBalancer Services this node is
/// responsible for answer on the wire.
///
/// One task tree. The Service and EndpointSlice watches, the kernel's address notifications, every Lease
/// election and every address advertiser report into one stream; one loop feeds them to the
/// `AgentReconciler` (the rules, pure) and carries out what it decides. Elections and advertisers are child
/// tasks of `run()`, stopped through their own signals, so nothing outlives the agent.
///
/// Graceful shutdown (SIGTERM) withdraws every address first and only then releases every Lease, so the
/// next holder starts the moment this node can no longer answer for the address.
public struct NodeAgent: Service {
    public let status = AgentStatus()
    private let settings: AgentSettings
    private let client: KubernetesClient
    private let driver: any NetworkDriver
    private let metricsFactory: any MetricsFactory
    private let clock: ClientClock
    private let logger: Logger
    private let gatewayControl: (any InternetGatewayControl)?

    /// - Parameter gatewayControl: how to reach UPnP gateways; used only with `settings.enableUPnP`.
    public init(
        settings: AgentSettings, client: KubernetesClient, driver: any NetworkDriver,
        gatewayControl: (any InternetGatewayControl)? = nil,
        metricsFactory: any MetricsFactory = MetricsSystem.factory, clock: ClientClock = .continuous,
        logger: Logger = Logger(label: "kube-vip.node-agent")
    ) {
        self.gatewayControl = gatewayControl
        self.settings = settings
        self.client = client
        self.driver = driver
        self.metricsFactory = metricsFactory
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        let (inputs, input) = AsyncStream.makeStream(of: LoopInput.self)
        let recorder = EventRecorder(
            client: client,
            configuration: EventRecorder.Configuration(component: AgentSettings.eventComponent, host: settings.nodeName),
            clock: clock, logger: logger)
        let events = EventSink(recorder: recorder)
        let writer = StatusWriter(client: client, clock: clock, logger: logger)
        let loop = AgentLoop(
            settings: settings, driver: driver, leaseStore: client, input: input, events: events, writer: writer,
            metrics: AgentMetrics(factory: metricsFactory, node: settings.nodeName),
            advertiserMetrics: AdvertiserMetrics(factory: metricsFactory), dhcpMetrics: DHCPMetrics(factory: metricsFactory),
            upnp: settings.enableUPnP
                ? gatewayControl.map {
                    UPnPContext(
                        control: $0, gateways: GatewayCache(control: $0), metrics: UPnPMetrics(factory: metricsFactory),
                        schedule: .standard)
                } : nil,
            clock: clock, status: status, logger: logger)

        await withDiscardingTaskGroup { group in
            group.addTask { await events.run() }
            group.addTask { await writer.run() }
            group.addTask {
                await follow(client.informer(.services, namespace: settings.watchNamespace, as: KubernetesService.self)) {
                    input.yield(.agent(.service($0)))
                }
            }
            group.addTask {
                await follow(client.informer(.endpointSlices, namespace: settings.watchNamespace, as: EndpointSlice.self)) {
                    input.yield(.agent(.endpointSlice($0)))
                }
            }
            group.addTask {
                // Followers look again whenever the Lease changes: a released Lease is taken at once, and every
                // renewal is seen when it happens, so a crashed holder's term is judged from its real last renewal
                // rather than from when the next poll happened to notice it.
                await follow(leaseInformer()) { event in
                    if case .updated(_, let lease) = event {
                        input.yield(.leaseChanged(
                            LeaseName(namespace: lease.metadata.namespace ?? "", name: lease.metadata.name ?? "")))
                    }
                }
            }
            group.addTask {
                for await change in driver.addressChanges() {
                    input.yield(.addressChange(change))
                }
            }
            await withGracefulShutdownHandler {
                await loop.run(inputs, in: &group)
            } onGracefulShutdown: {
                input.yield(.shutdown)
            }
            group.cancelAll()
        }
    }

    /// The global Lease alone, or in per-Service mode every Lease but the nodes' heartbeats.
    private func leaseInformer() -> Informer<Lease> {
        switch settings.election {
        case .global(let namespace, let name):
            return client.informer(.leases, namespace: namespace, query: ListQuery(fieldSelector: "metadata.name=\(name)"))
        case .perService:
            let query = settings.watchNamespace == nil ? ListQuery(fieldSelector: "metadata.namespace!=kube-node-lease") : ListQuery()
            return client.informer(.leases, namespace: settings.watchNamespace, query: query)
        }
    }

    private func follow<Object>(_ informer: Informer<Object>, _ forward: (InformerEvent<Object>) -> Void) async {
        do {
            for try await event in informer {
                forward(event)
            }
        } catch {
            if !Task.isCancelled {
                logger.error("watch stopped", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// What the agent reports about itself: ready once it has seen every Service and EndpointSlice.
public final class AgentStatus: Sendable {
    private let state = Mutex(false)
    public init() {}
    public var isReady: Bool { state.withLock { $0 } }
    func markReady() { state.withLock { $0 = true } }
}

/// Everything the loop reacts to: the reconciler's inputs plus the loop's own bookkeeping.
enum LoopInput: Sendable {
    case agent(AgentInput)
    case addressChange(AddressChange)
    case advertiserFinished(IPAddress, id: Int)
    case electionEnded(LeaseName, id: Int)
    /// A DHCP lease keeper reported; only the current keeper of the macvlan is listened to.
    case dhcp(DHCPEvent, id: Int)
    case keeperFinished(String, id: Int)
    /// A port forwarder reported; only the current forwarder of the Service is listened to.
    case upnp(UPnPEvent, id: Int)
    case forwarderFinished(ServiceKey, id: Int)
    /// A withdrawal waiting for a forwarder's deletions has waited long enough.
    case withdrawalDue(id: Int)
    /// A watch saw the Lease change (renewed, released, taken).
    case leaseChanged(LeaseName)
    case shutdown
}

/// What every port forwarder of the agent shares: the gateway client, the discovered gateways, the counters.
struct UPnPContext: Sendable {
    var control: any InternetGatewayControl
    var gateways: GatewayCache
    var metrics: UPnPMetrics
    var schedule: PortForwarder.Schedule
}
