import Foundation

/// Finds the configuration the way kube-vip's users expect from kubectl and client-go.
public enum ConfigurationLoader {
    /// Order: an explicit `--kubeconfig` path; else `$KUBECONFIG`; else `~/.kube/config` if it exists; else
    /// the in-cluster ServiceAccount.
    ///
    /// `$KUBECONFIG` may list several files separated by colons. kubectl merges them; we use the first one
    /// that exists, which covers the common single-file case without a merge engine.
    public static func load(
        kubeconfigPath: String? = nil,
        context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String? = nil,
        serviceAccountDirectory: String = InClusterConfiguration.defaultServiceAccountDirectory
    ) throws(ConfigurationError) -> ClientConfiguration {
        if let kubeconfigPath, !kubeconfigPath.isEmpty {
            return try Kubeconfig.load(path: kubeconfigPath, context: context)
        }
        var searched: [String] = []
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let candidates = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            if let first = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                return try Kubeconfig.load(path: first, context: context)
            }
            searched.append("$KUBECONFIG (\(list))")
        }
        let home = homeDirectory ?? environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let defaultPath = home + "/.kube/config"
        if FileManager.default.fileExists(atPath: defaultPath) {
            return try Kubeconfig.load(path: defaultPath, context: context)
        }
        searched.append(defaultPath)
        do {
            return try InClusterConfiguration.load(
                environment: environment, serviceAccountDirectory: serviceAccountDirectory)
        } catch {
            searched.append("in-cluster: \(error)")
            throw .noConfiguration(searched: searched)
        }
    }
}
