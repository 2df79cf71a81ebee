/// Why no client configuration could be built. Every case names the file and, where it applies, the key, so
/// that an operator can fix the kubeconfig without reading our code.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case invalidYAML(path: String, reason: String)
    /// A required key is missing, e.g. `clusters[name=prod].cluster.server`.
    case missingKey(path: String, key: String)
    /// A key holds something unusable, e.g. base64 that does not decode.
    case invalidValue(path: String, key: String, reason: String)
    case contextNotFound(path: String, context: String)
    case clusterNotFound(path: String, context: String, cluster: String)
    case userNotFound(path: String, context: String, user: String)
    /// Neither a kubeconfig nor the in-cluster environment was found; lists where we looked.
    case noConfiguration(searched: [String])
    case notInCluster(reason: String)
    /// PEM material that NIOSSL refused.
    case invalidTLSMaterial(source: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "kubeconfig \(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read: \(reason)"
        case .invalidYAML(let path, let reason):
            return "kubeconfig \(path): not valid YAML: \(reason)"
        case .missingKey(let path, let key):
            return "kubeconfig \(path): missing \(key)"
        case .invalidValue(let path, let key, let reason):
            return "kubeconfig \(path): \(key): \(reason)"
        case .contextNotFound(let path, let context):
            return "kubeconfig \(path): context \"\(context)\" not found in contexts"
        case .clusterNotFound(let path, let context, let cluster):
            return "kubeconfig \(path): context \"\(context)\" refers to cluster \"\(cluster)\", which is not in clusters"
        case .userNotFound(let path, let context, let user):
            return "kubeconfig \(path): context \"\(context)\" refers to user \"\(user)\", which is not in users"
        case .noConfiguration(let searched):
            return "no Kubernetes configuration found (looked at: \(searched.joined(separator: ", ")))"
        case .notInCluster(let reason):
            return "not running in a cluster: \(reason)"
        case .invalidTLSMaterial(let source, let reason):
            return "\(source): unusable TLS material: \(reason)"
        }
    }
}
