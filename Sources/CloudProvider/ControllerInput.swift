import IPAM
import KubernetesClient
import KubernetesModels
import LeaderElection

/// Everything the allocator's loop reacts to, merged into one stream so that it handles one thing at a time.
enum ControllerInput: Sendable {
    /// Raw JSON: read into a `ServiceView` without the typed model's decoding cost.
    case service(InformerEvent<JSONValue>)
    case configMap(InformerEvent<ConfigMap>)
    case leadership(Leadership)
    case written(ServiceKey, ServiceWrite, WriteOutcome)
    /// Time to bring the pool gauges up to date (once a second, only if something changed).
    case refreshMetrics
}
