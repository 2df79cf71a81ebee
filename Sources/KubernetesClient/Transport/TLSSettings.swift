import NIOSSL

extension ClientConfiguration {
    /// The TLS setup for an `https` server: the cluster CA (instead of the system roots when given), the
    /// client certificate and key, and `insecure-skip-tls-verify`. `nil` for plain `http` (the embedded
    /// development server).
    func makeTLSConfiguration() throws(ConfigurationError) -> TLSConfiguration? {
        guard server.lowercased().hasPrefix("https://") else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        if insecureSkipTLSVerify {
            tls.certificateVerification = .none
        } else if let certificateAuthority {
            let bytes = try certificateAuthority.bytes()
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(bytes))
            } catch {
                throw .invalidTLSMaterial(source: certificateAuthority.label, reason: "\(error)")
            }
        }
        if let clientCertificate, let clientKey {
            let certificateBytes = try clientCertificate.bytes()
            let keyBytes = try clientKey.bytes()
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificateBytes).map { .certificate($0) }
            } catch {
                throw .invalidTLSMaterial(source: clientCertificate.label, reason: "\(error)")
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyBytes, format: .pem))
            } catch {
                throw .invalidTLSMaterial(source: clientKey.label, reason: "\(error)")
            }
        }
        return tls
    }
}
