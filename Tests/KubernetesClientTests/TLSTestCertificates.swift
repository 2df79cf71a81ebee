import Foundation
import NetworkLab

/// Throwaway PKI for the TLS tests, made with the `openssl` CLI in a test's temporary directory: real
/// certificates, so the client's NIOSSL setup is exercised exactly as against a kube-apiserver.
struct TLSTestCertificates {
    static let openssl = "/usr/bin/openssl"
    static var opensslAvailable: Bool { FileManager.default.isExecutableFile(atPath: openssl) }

    /// A certificate and its key, as PEM files.
    struct Pair {
        var certificate: String
        var key: String
    }

    let directory: String
    /// The cluster CA the client is told to trust.
    let ca: Pair
    /// Serves 127.0.0.1 / localhost, signed by `ca`.
    let server: Pair
    /// A client identity (`CN=tls-test-user`), signed by `ca`.
    let client: Pair
    /// A CA the client knows nothing about.
    let unrelatedCA: Pair
    /// Serves 127.0.0.1 / localhost like `server`, but signed by `unrelatedCA`.
    let unrelatedServer: Pair

    static let clientCommonName = "tls-test-user"

    /// Creates everything under `directory` (which must exist).
    init(in directory: String) throws {
        self.directory = directory
        let config = directory + "/openssl.cnf"
        // Our own config, so the extensions do not depend on the distribution's openssl.cnf.
        try writeFile(
            config,
            """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = unused
            [ca]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            [server]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = IP:127.0.0.1,DNS:localhost
            authorityKeyIdentifier = keyid
            [client]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = clientAuth
            authorityKeyIdentifier = keyid

            """)
        func selfSignedCA(_ name: String) throws -> Pair {
            let pair = Pair(certificate: "\(directory)/\(name).crt", key: "\(directory)/\(name).key")
            try Self.run([
                "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", pair.key, "-out", pair.certificate, "-days", "2", "-subj", "/CN=\(name)",
                "-config", config, "-extensions", "ca",
            ])
            return pair
        }
        func leaf(_ name: String, commonName: String, extensions: String, signedBy issuer: Pair) throws -> Pair {
            let pair = Pair(certificate: "\(directory)/\(name).crt", key: "\(directory)/\(name).key")
            let request = "\(directory)/\(name).csr"
            try Self.run([
                "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", pair.key,
                "-out", request, "-subj", "/CN=\(commonName)", "-config", config,
            ])
            try Self.run([
                "x509", "-req", "-in", request, "-CA", issuer.certificate, "-CAkey", issuer.key,
                "-set_serial", "\(UInt32.random(in: 1...UInt32.max))", "-days", "2", "-out", pair.certificate,
                "-extfile", config, "-extensions", extensions,
            ])
            return pair
        }
        ca = try selfSignedCA("ca")
        server = try leaf("server", commonName: "127.0.0.1", extensions: "server", signedBy: ca)
        client = try leaf("client", commonName: Self.clientCommonName, extensions: "client", signedBy: ca)
        unrelatedCA = try selfSignedCA("unrelated-ca")
        unrelatedServer = try leaf("unrelated-server", commonName: "127.0.0.1", extensions: "server", signedBy: unrelatedCA)
    }

    struct OpenSSLFailed: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var output: String
        var description: String { "openssl \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }

    /// Runs openssl to completion; its output is only kept to explain a failure.
    private static func run(_ arguments: [String]) throws {
        let result = try ChildProcess.runBlocking([openssl] + arguments)
        guard result.succeeded else {
            throw OpenSSLFailed(arguments: arguments, status: result.status.code, output: result.stderr + result.stdout)
        }
    }
}

func base64OfFile(_ path: String) throws -> String {
    try Data(contentsOf: URL(fileURLWithPath: path)).base64EncodedString()
}
