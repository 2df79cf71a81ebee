import Foundation

/// The configuration a pod gets from its ServiceAccount: the API server's address from the environment,
/// and a token, CA and namespace from the mounted secret directory.
public enum InClusterConfiguration {
    public static let defaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Builds the in-cluster configuration. The directory is a parameter so tests can use a temporary one.
    /// The token is referenced as a file, not read once, because the kubelet rotates it.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = defaultServiceAccountDirectory
    ) throws(ConfigurationError) -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw .notInCluster(reason: "KUBERNETES_SERVICE_HOST is not set")
        }
        guard let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw .notInCluster(reason: "KUBERNETES_SERVICE_PORT is not set")
        }
        let tokenPath = serviceAccountDirectory + "/token"
        guard FileManager.default.fileExists(atPath: tokenPath) else {
            throw .notInCluster(reason: "\(tokenPath) does not exist")
        }
        let authority = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var configuration = ClientConfiguration(
            server: "https://\(authority):\(port)", bearerToken: .file(tokenPath),
            origin: "in-cluster (\(serviceAccountDirectory))")

        let caPath = serviceAccountDirectory + "/ca.crt"
        if FileManager.default.fileExists(atPath: caPath) {
            configuration.certificateAuthority = .file(caPath)
        }
        let namespacePath = serviceAccountDirectory + "/namespace"
        if let namespace = try? String(contentsOfFile: namespacePath, encoding: .utf8) {
            let trimmed = namespace.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { configuration.namespace = trimmed }
        }
        return configuration
    }
}
