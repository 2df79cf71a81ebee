import KubernetesClient
import KubernetesModels
import LeaderElection
import Logging
import Metrics
import ServiceLifecycle

/// The cloud-provider role: hands out LoadBalancer addresses from the `kubevip` ConfigMap's pools.
///
/// One task tree: the Service and ConfigMap watches, the leader election, the allocator's loop, the writer
/// and the Event sink run as children of `run()`; cancelling it (or a graceful shutdown) stops them all.
/// Every replica watches and mirrors all the time, so a take-over needs no re-list of its caches; only the
/// leader allocates and writes.
///
/// On graceful shutdown the decisions stop first, the writes in flight finish (within the write fence), and
/// only then is the Lease released, so the next leader starts the moment this one can no longer write.
public struct CloudProvider: Service {
    public let status = CloudProviderStatus()
    private let settings: CloudProviderSettings
    private let client: KubernetesClient
    private let election: LeaderElectionConfiguration?
    private let metricsFactory: any MetricsFactory
    private let clock: ClientClock
    private let logger: Logger

    /// - Parameter election: nil runs without leader election (a single replica, or `kube-vip dev`).
    public init(
        settings: CloudProviderSettings, client: KubernetesClient, election: LeaderElectionConfiguration?,
        metricsFactory: any MetricsFactory = MetricsSystem.factory, clock: ClientClock = .continuous,
        logger: Logger = Logger(label: "kube-vip.cloud-provider")
    ) {
        self.settings = settings
        self.client = client
        self.election = election
        self.metricsFactory = metricsFactory
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        let elector = election.map {
            LeaderElector(
                configuration: $0, store: client, clock: clock,
                logger: logger.with(metadata: ["lease": "\($0.namespace)/\($0.leaseName)"]))
        }
        let (inputs, input) = AsyncStream.makeStream(of: ControllerInput.self)
        let metrics = CloudProviderMetrics(factory: metricsFactory)
        let writer = ServiceWriter(
            client: client, fence: elector?.fence, concurrency: settings.writeConcurrency,
            fieldManager: CloudProviderSettings.fieldManager, clock: clock, logger: logger
        ) { key, write, outcome in
            input.yield(.written(key, write, outcome))
        }
        await withDiscardingTaskGroup { group in
            // The writer is outside the part a graceful shutdown cancels: its writes in flight finish.
            group.addTask { await writer.run() }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    await runRole(elector: elector, writer: writer, inputs: inputs, input: input, metrics: metrics)
                }
                await writer.drain()
            }
        }
        // No write of this replica is pending any more: hand the Lease over now (from a task that is not
        // cancelled, so the request can still be made).
        await elector?.release()
    }

    private func runRole(
        elector: LeaderElector?, writer: ServiceWriter, inputs: AsyncStream<ControllerInput>,
        input: AsyncStream<ControllerInput>.Continuation, metrics: CloudProviderMetrics
    ) async {
        let recorder = EventRecorder(
            client: client,
            configuration: EventRecorder.Configuration(
                component: CloudProviderSettings.eventComponent, host: settings.eventHost),
            clock: clock, logger: logger)
        let events = EventSink(recorder: recorder) { metrics.droppedEvent() }
        let allocator = AllocatorActor(
            settings: settings, client: client, writer: writer, events: events, metrics: metrics, status: status,
            logger: logger)

        await withDiscardingTaskGroup { group in
            group.addTask { await allocator.run(inputs) }
            group.addTask { await events.run() }
            group.addTask {
                while (try? await clock.sleep(for: .seconds(1))) != nil {
                    input.yield(.refreshMetrics)
                }
            }
            group.addTask {
                await follow(client.informer(.services, namespace: nil, as: JSONValue.self)) {
                    input.yield(.service($0))
                }
            }
            group.addTask {
                let query = ListQuery(fieldSelector: "metadata.name=\(settings.configMapName)")
                await follow(
                    client.informer(.configMaps, namespace: settings.configMapNamespace, query: query, as: ConfigMap.self)
                ) {
                    input.yield(.configMap($0))
                }
            }
            if let elector {
                group.addTask { await elector.run() }
                group.addTask {
                    for await leadership in elector.changes {
                        input.yield(.leadership(leadership))
                    }
                }
            } else {
                input.yield(.leadership(.leading))
            }
        }
        input.finish()
    }

    /// Forwards an informer's events until the task is cancelled (informers retry everything else themselves).
    private func follow<Object>(
        _ informer: Informer<Object>, _ forward: (InformerEvent<Object>) -> Void
    ) async {
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

extension Logger {
    fileprivate func with(metadata extra: Logger.Metadata) -> Logger {
        var copy = self
        for (key, value) in extra { copy[metadataKey: key] = value }
        return copy
    }
}
