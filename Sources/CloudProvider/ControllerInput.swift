import IPAM
import KubernetesClient
import KubernetesModels
import LeaderElection

/// Everything the allocator's loop reacts to, merged into one stream so that it handles one thing at a time.
enum ControllerInput: Sendable {
    case service(InformerEvent<KubernetesService>)
    case configMap(InformerEvent<ConfigMap>)
    case leadership(Leadership)
    case written(ServiceKey, ServiceWrite, WriteOutcome)
}
