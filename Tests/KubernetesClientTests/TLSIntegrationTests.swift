import Foundation
import Hummingbird
import HummingbirdTLS
import KubernetesClient
import KubernetesModels
import Logging
import NIOCore
import NIOSSL
import Testing

/// A request context that keeps the connection, so a handler can ask NIOSSL which client certificate (if
/// any) the peer presented.
struct TLSPeerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

/// Hex of a certificate's serial number: how the fake API server names the client certificate it saw.
func serialHex(_ certificate: NIOSSLCertificate) -> String {
    certificate.serialNumber.map { String(format: "%02x", $0) }.joined()
}

/// Runs an HTTPS API server stand-in on 127.0.0.1 for the length of `body` (cancelled and awaited however
/// `body` ends). It answers `GET …/configmaps/x` with a ConfigMap whose data echoes the `Authorization`
/// header and the serial of the client certificate presented. With `clientCA`, it requires a client
/// certificate signed by that CA, as kube-apiserver does with `--client-ca-file`.
@discardableResult
func withTLSServer<T>(
    serving pair: TLSTestCertificates.Pair, requiringClientCertificatesFrom clientCA: String? = nil,
    _ body: (Int) async throws -> T
) async throws -> T {
    var tls = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(pair.certificate).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: pair.key, format: .pem)))
    if let clientCA {
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
    }
    let router = Router(context: TLSPeerRequestContext.self)
    router.get("/api/v1/namespaces/default/configmaps/x") { request, context -> Response in
        let peer = try? await context.channel.nioSSL_peerCertificate().get()
        let echo: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x", "namespace": "default"],
            "data": [
                "authorization": .string(request.headers[.authorization] ?? ""),
                "clientCertificateSerial": .string(peer.map(serialHex) ?? ""),
            ],
        ]
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: echo.serialized())))
    }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "client-tests.tls-server")
    logger.logLevel = .critical
    let application = Application(
        router: router, server: try .tls(.http1(), tlsConfiguration: tls),
        configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        }, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await application.runService() }
        do {
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result = try await body(port)
            group.cancelAll()
            try? await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// Writes a one-context kubeconfig into `directory`, loads it as the CLI would, and runs `body` with a
/// client built from it (shut down however `body` ends). No retries, so a refused handshake fails at once.
@discardableResult
func withKubeconfigClient<T>(
    in directory: String, server: String, cluster: [String], user: [String] = [],
    _ body: (KubernetesClient) async throws -> T
) async throws -> T {
    let indent = "    "
    let text = """
        apiVersion: v1
        kind: Config
        current-context: tls
        clusters:
        - name: tls-cluster
          cluster:
            server: \(server)
        \(cluster.map { indent + $0 }.joined(separator: "\n"))
        users:
        - name: tls-user
          user:
        \(user.isEmpty ? indent + "{}" : user.map { indent + $0 }.joined(separator: "\n"))
        contexts:
        - name: tls
          context:
            cluster: tls-cluster
            user: tls-user

        """
    let path = directory + "/kubeconfig"
    try writeFile(path, text)
    var configuration = try Kubeconfig.load(path: path)
    configuration.rateLimit = .unlimited
    configuration.retry = RetryPolicy(maximumRetries: 0)
    var logger = Logger(label: "client-tests.tls-client")
    logger.logLevel = .critical
    let client = try KubernetesClient(configuration: configuration, logger: logger)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// Generates fresh certificates in a temporary directory (removed afterwards) for one test.
@discardableResult
func withTestCertificates<T>(_ body: (TLSTestCertificates) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        try await body(try TLSTestCertificates(in: directory))
    }
}

@Suite(
    "TLS to the API server, configured from a kubeconfig",
    .enabled(
        if: TLSTestCertificates.opensslAvailable,
        "needs the openssl CLI at \(TLSTestCertificates.openssl) to make test certificates"),
    .timeLimit(.minutes(1)))
struct TLSIntegrationTests {
    @Test("a server signed by the CA named by `certificate-authority` (a file path) is trusted")
    func caFromFile() async throws {
        try await withTestCertificates { pki in
            try await withTLSServer(serving: pki.server) { port in
                try await withKubeconfigClient(
                    in: pki.directory, server: "https://127.0.0.1:\(port)",
                    cluster: ["certificate-authority: \(pki.ca.certificate)"]
                ) { client in
                    let object = try await client.get(.configMaps, namespace: "default", name: "x")
                    #expect(object.metadataName == "x")
                }
            }
        }
    }

    @Test("a server signed by the CA given inline as base64 `certificate-authority-data` is trusted")
    func caInline() async throws {
        try await withTestCertificates { pki in
            try await withTLSServer(serving: pki.server) { port in
                try await withKubeconfigClient(
                    in: pki.directory, server: "https://127.0.0.1:\(port)",
                    cluster: ["certificate-authority-data: \(try base64OfFile(pki.ca.certificate))"]
                ) { client in
                    let object = try await client.get(.configMaps, namespace: "default", name: "x")
                    #expect(object.metadataName == "x")
                }
            }
        }
    }

    @Test("`client-certificate` and `client-key` files (relative to the kubeconfig) are presented to an mTLS server")
    func clientCertificateFromFiles() async throws {
        try await withTestCertificates { pki in
            let expectedSerial = serialHex(try NIOSSLCertificate.fromPEMFile(pki.client.certificate)[0])
            try await withTLSServer(serving: pki.server, requiringClientCertificatesFrom: pki.ca.certificate) { port in
                try await withKubeconfigClient(
                    in: pki.directory, server: "https://127.0.0.1:\(port)",
                    cluster: ["certificate-authority: ca.crt"],
                    user: ["client-certificate: client.crt", "client-key: client.key"]
                ) { client in
                    let object = try await client.get(.configMaps, namespace: "default", name: "x")
                    #expect(object[path: "data", "clientCertificateSerial"]?.stringValue == expectedSerial)
                }
            }
        }
    }

    @Test("inline `client-certificate-data` and `client-key-data` are presented to an mTLS server")
    func clientCertificateInline() async throws {
        try await withTestCertificates { pki in
            let expectedSerial = serialHex(try NIOSSLCertificate.fromPEMFile(pki.client.certificate)[0])
            try await withTLSServer(serving: pki.server, requiringClientCertificatesFrom: pki.ca.certificate) { port in
                try await withKubeconfigClient(
                    in: pki.directory, server: "https://127.0.0.1:\(port)",
                    cluster: ["certificate-authority-data: \(try base64OfFile(pki.ca.certificate))"],
                    user: [
                        "client-certificate-data: \(try base64OfFile(pki.client.certificate))",
                        "client-key-data: \(try base64OfFile(pki.client.key))",
                    ]
                ) { client in
                    let object = try await client.get(.configMaps, namespace: "default", name: "x")
                    #expect(object[path: "data", "clientCertificateSerial"]?.stringValue == expectedSerial)
                }
            }
        }
    }

    @Test("without a client certificate the mTLS server refuses the handshake (the server really checks)")
    func mTLSServerRequiresCertificate() async throws {
        try await withTestCertificates { pki in
            try await withTLSServer(serving: pki.server, requiringClientCertificatesFrom: pki.ca.certificate) { port in
                try await withKubeconfigClient(
                    in: pki.directory, server: "https://127.0.0.1:\(port)",
                    cluster: ["certificate-authority: \(pki.ca.certificate)"]
                ) { client in
                    await #expect {
                        _ = try await client.get(.configMaps, namespace: "default", name: "x")
                    } throws: { error in
                        // TLS 1.3: the server's alert arrives after the client's handshake, as the request fails.
                        guard case .transport(let reason) = error as? KubernetesClientError else { return false }
                        return reason.uppercased().contains("CERTIFICATE_REQUIRED")
                    }
                }
            }
        }
    }

    @Test("a server signed by an unrelated CA is rejected with a transport error naming certificate verification")
    func unrelatedCARejected() async throws {
        try await withTestCertificates { pki in
            try await withTLSServer(serving: pki.unrelatedServer) { port in
                try await withKubeconfigClient(
                    in: pki.directory, server: "https://127.0.0.1:\(port)",
                    cluster: ["certificate-authority: \(pki.ca.certificate)"]
                ) { client in
                    await #expect {
                        _ = try await client.get(.configMaps, namespace: "default", name: "x")
                    } throws: { error in
                        guard case .transport(let reason) = error as? KubernetesClientError else { return false }
                        return reason.uppercased().contains("CERTIFICATE_VERIFY_FAILED")
                    }
                }
            }
        }
    }

    @Test("`insecure-skip-tls-verify: true` accepts a server signed by an unrelated CA")
    func insecureSkipVerify() async throws {
        try await withTestCertificates { pki in
            try await withTLSServer(serving: pki.unrelatedServer) { port in
                try await withKubeconfigClient(
                    in: pki.directory, server: "https://127.0.0.1:\(port)", cluster: ["insecure-skip-tls-verify: true"]
                ) { client in
                    let object = try await client.get(.configMaps, namespace: "default", name: "x")
                    #expect(object.metadataName == "x")
                }
            }
        }
    }

    @Test("a kubeconfig `token` is sent as `Authorization: Bearer …` over TLS")
    func bearerTokenOverTLS() async throws {
        try await withTestCertificates { pki in
            try await withTLSServer(serving: pki.server) { port in
                try await withKubeconfigClient(
                    in: pki.directory, server: "https://127.0.0.1:\(port)",
                    cluster: ["certificate-authority: \(pki.ca.certificate)"], user: ["token: s3cr3t-token"]
                ) { client in
                    let object = try await client.get(.configMaps, namespace: "default", name: "x")
                    #expect(object[path: "data", "authorization"]?.stringValue == "Bearer s3cr3t-token")
                    #expect(object[path: "data", "clientCertificateSerial"]?.stringValue == "")
                }
            }
        }
    }
}
