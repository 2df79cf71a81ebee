import Foundation
import KubernetesClient
import Testing

@Suite("Kubeconfig parsing")
struct KubeconfigTests {
    static func config(cluster: String, user: String, context: String = "") -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: main
        clusters:
        - name: prod
          cluster:
        \(cluster)
        users:
        - name: admin
          user:
        \(user)
        contexts:
        - name: main
          context:
            cluster: prod
            user: admin
        \(context)
        - name: other
          context:
            cluster: prod
            user: admin
            namespace: team-b
        """
    }

    let path = "/etc/kube/config"

    @Test("a bearer token and an inline CA are read from the current context")
    func tokenAndInlineCA() throws {
        let ca = Data("-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n".utf8)
        let text = Self.config(
            cluster: "    server: https://10.0.0.1:6443\n    certificate-authority-data: \(ca.base64EncodedString())",
            user: "    token: s3cret", context: "    namespace: team-a")
        let configuration = try Kubeconfig.parse(text, path: path)
        #expect(configuration.server == "https://10.0.0.1:6443")
        #expect(configuration.certificateAuthority == .data(ca))
        #expect(configuration.bearerToken == .literal("s3cret"))
        #expect(configuration.namespace == "team-a")
        #expect(configuration.insecureSkipTLSVerify == false)
    }

    @Test("an explicit context overrides current-context")
    func explicitContext() throws {
        let text = Self.config(cluster: "    server: https://a:1", user: "    token: t", context: "    namespace: team-a")
        #expect(try Kubeconfig.parse(text, path: path, context: "other").namespace == "team-b")
    }

    @Test("relative file references resolve against the kubeconfig's directory")
    func relativePaths() throws {
        let text = Self.config(
            cluster: "    server: https://a:1\n    certificate-authority: pki/ca.crt",
            user: "    client-certificate: ../certs/admin.crt\n    client-key: /abs/admin.key\n    tokenFile: token",
            context: "    namespace: x")
        let configuration = try Kubeconfig.parse(text, path: path)
        #expect(configuration.certificateAuthority == .file("/etc/kube/pki/ca.crt"))
        #expect(configuration.clientCertificate == .file("/etc/certs/admin.crt"))
        #expect(configuration.clientKey == .file("/abs/admin.key"))
        #expect(configuration.bearerToken == .file("/etc/kube/token"))
    }

    @Test("inline client certificate and key data are base64-decoded and win over files")
    func inlineClientCertificate() throws {
        let certificate = Data("CERT".utf8)
        let key = Data("KEY".utf8)
        let text = Self.config(
            cluster: "    server: https://a:1",
            user: """
                    client-certificate-data: \(certificate.base64EncodedString())
                    client-certificate: ignored.crt
                    client-key-data: \(key.base64EncodedString())
                """, context: "    namespace: x")
        let configuration = try Kubeconfig.parse(text, path: path)
        #expect(configuration.clientCertificate == .data(certificate))
        #expect(configuration.clientKey == .data(key))
        #expect(configuration.bearerToken == nil)
    }

    @Test("insecure-skip-tls-verify is honoured")
    func insecure() throws {
        let text = Self.config(
            cluster: "    server: https://a:1\n    insecure-skip-tls-verify: true", user: "    token: t",
            context: "    namespace: x")
        #expect(try Kubeconfig.parse(text, path: path).insecureSkipTLSVerify)
    }

    @Test("a context without a namespace uses default")
    func defaultNamespace() throws {
        let text = Self.config(cluster: "    server: http://a:1", user: "    token: t", context: "")
        #expect(try Kubeconfig.parse(text, path: path).namespace == "default")
    }

    @Test("a missing server is reported with the file and key")
    func missingServer() {
        let text = Self.config(cluster: "    insecure-skip-tls-verify: true", user: "    token: t", context: "")
        #expect(throws: ConfigurationError.missingKey(path: path, key: "clusters[name=prod].cluster.server")) {
            try Kubeconfig.parse(text, path: path)
        }
    }

    @Test("an unknown context is reported by name")
    func unknownContext() {
        let text = Self.config(cluster: "    server: http://a:1", user: "    token: t", context: "")
        #expect(throws: ConfigurationError.contextNotFound(path: path, context: "nope")) {
            try Kubeconfig.parse(text, path: path, context: "nope")
        }
    }

    @Test("a context pointing at a missing cluster or user is reported")
    func danglingReferences() {
        let noCluster = """
            current-context: c
            contexts:
            - name: c
              context: {cluster: gone, user: u}
            users:
            - name: u
              user: {token: t}
            """
        #expect(throws: ConfigurationError.clusterNotFound(path: path, context: "c", cluster: "gone")) {
            try Kubeconfig.parse(noCluster, path: path)
        }
        let noUser = """
            current-context: c
            contexts:
            - name: c
              context: {cluster: k, user: gone}
            clusters:
            - name: k
              cluster: {server: "http://a:1"}
            """
        #expect(throws: ConfigurationError.userNotFound(path: path, context: "c", user: "gone")) {
            try Kubeconfig.parse(noUser, path: path)
        }
    }

    @Test("no current-context and no explicit one is an error naming the key")
    func noCurrentContext() {
        #expect(throws: ConfigurationError.missingKey(path: path, key: "current-context")) {
            try Kubeconfig.parse("clusters: []\n", path: path)
        }
    }

    @Test("invalid base64 names the -data key")
    func invalidBase64() {
        let text = Self.config(
            cluster: "    server: https://a:1\n    certificate-authority-data: '%%%'", user: "    token: t", context: "")
        #expect(
            throws: ConfigurationError.invalidValue(
                path: path, key: "clusters[name=prod].cluster.certificate-authority-data", reason: "not valid base64")
        ) {
            try Kubeconfig.parse(text, path: path)
        }
    }

    @Test("a client certificate without its key is an error")
    func certificateWithoutKey() {
        let text = Self.config(
            cluster: "    server: https://a:1", user: "    client-certificate: a.crt", context: "")
        #expect(throws: ConfigurationError.missingKey(path: path, key: "users[name=admin].user.client-key")) {
            try Kubeconfig.parse(text, path: path)
        }
    }

    @Test("text that is not YAML is reported as such, with the file")
    func notYAML() {
        #expect {
            try Kubeconfig.parse("clusters: [unclosed", path: path)
        } throws: { error in
            guard case .invalidYAML(let file, _) = error as? ConfigurationError else { return false }
            return file == path
        }
    }

    @Test("loading a file that does not exist names it")
    func missingFile() {
        #expect(throws: ConfigurationError.fileNotFound(path: "/nonexistent/kubeconfig")) {
            try Kubeconfig.load(path: "/nonexistent/kubeconfig")
        }
    }

    @Test("unusable PEM material fails client creation with the source named")
    func badPEM() {
        var configuration = ClientConfiguration(server: "https://127.0.0.1:6443")
        configuration.certificateAuthority = .data(Data("not a certificate".utf8))
        #expect {
            _ = try KubernetesClient(configuration: configuration)
        } throws: { error in
            guard case .invalidTLSMaterial(let source, _) = error as? ConfigurationError else { return false }
            return source == "inline PEM data"
        }
    }
}
