import Foundation
import Yams

/// Reads a kubeconfig file into a `ClientConfiguration`.
public enum Kubeconfig {
    /// Parses kubeconfig text. `path` is used for error messages and to resolve relative file references
    /// (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`) against its directory, as
    /// kubectl does.
    public static func parse(_ text: String, path: String, context explicitContext: String? = nil)
        throws(ConfigurationError) -> ClientConfiguration
    {
        let file: KubeconfigFile
        do {
            file = try YAMLDecoder().decode(KubeconfigFile.self, from: text)
        } catch {
            throw .invalidYAML(path: path, reason: String(describing: error))
        }

        guard let contextName = explicitContext ?? file.currentContext, !contextName.isEmpty else {
            throw .missingKey(path: path, key: "current-context")
        }
        guard let namedContext = file.contexts?.first(where: { $0.name == contextName }) else {
            throw .contextNotFound(path: path, context: contextName)
        }
        guard let context = namedContext.context else {
            throw .missingKey(path: path, key: "contexts[name=\(contextName)].context")
        }
        guard let clusterName = context.cluster else {
            throw .missingKey(path: path, key: "contexts[name=\(contextName)].context.cluster")
        }
        guard let namedCluster = file.clusters?.first(where: { $0.name == clusterName }) else {
            throw .clusterNotFound(path: path, context: contextName, cluster: clusterName)
        }
        let clusterKey = "clusters[name=\(clusterName)].cluster"
        guard let cluster = namedCluster.cluster else { throw .missingKey(path: path, key: clusterKey) }
        guard let server = cluster.server, !server.isEmpty else {
            throw .missingKey(path: path, key: "\(clusterKey).server")
        }

        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var configuration = ClientConfiguration(
            server: server, namespace: context.namespace ?? "default", origin: "kubeconfig \(path)")
        configuration.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify ?? false
        configuration.certificateAuthority = try pem(
            data: cluster.certificateAuthorityData, file: cluster.certificateAuthority,
            key: "\(clusterKey).certificate-authority", path: path, directory: directory)

        if let userName = context.user, !userName.isEmpty {
            guard let namedUser = file.users?.first(where: { $0.name == userName }) else {
                throw .userNotFound(path: path, context: contextName, user: userName)
            }
            let userKey = "users[name=\(userName)].user"
            let user = namedUser.user ?? KubeconfigFile.User()
            if let token = user.token, !token.isEmpty {
                configuration.bearerToken = .literal(token)
            } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
                configuration.bearerToken = .file(resolve(tokenFile, against: directory))
            }
            configuration.clientCertificate = try pem(
                data: user.clientCertificateData, file: user.clientCertificate,
                key: "\(userKey).client-certificate", path: path, directory: directory)
            configuration.clientKey = try pem(
                data: user.clientKeyData, file: user.clientKey, key: "\(userKey).client-key", path: path,
                directory: directory)
            if (configuration.clientCertificate == nil) != (configuration.clientKey == nil) {
                let missing = configuration.clientKey == nil ? "client-key" : "client-certificate"
                throw .missingKey(path: path, key: "\(userKey).\(missing)")
            }
        }
        return configuration
    }

    /// Reads and parses the kubeconfig at `path`.
    public static func load(path: String, context: String? = nil) throws(ConfigurationError) -> ClientConfiguration {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try parse(text, path: path, context: context)
    }

    /// An inline `…-data` value wins over the file, as in kubectl.
    private static func pem(data: String?, file: String?, key: String, path: String, directory: String)
        throws(ConfigurationError) -> PEMSource?
    {
        if let data, !data.isEmpty {
            let compact = data.filter { !$0.isWhitespace }
            guard let decoded = Data(base64Encoded: compact) else {
                throw .invalidValue(path: path, key: "\(key)-data", reason: "not valid base64")
            }
            return .data(decoded)
        }
        if let file, !file.isEmpty {
            return .file(resolve(file, against: directory))
        }
        return nil
    }

    static func resolve(_ file: String, against directory: String) -> String {
        if file.hasPrefix("/") { return file }
        if file.hasPrefix("~/") {
            return FileManager.default.homeDirectoryForCurrentUser.path + String(file.dropFirst(1))
        }
        return URL(fileURLWithPath: directory).appendingPathComponent(file).standardizedFileURL.path
    }
}
