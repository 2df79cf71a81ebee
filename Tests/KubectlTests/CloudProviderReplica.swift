import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One running `kube-vip cloud-provider` process, known by its `--identity` (its name in the Lease).
struct CloudProviderReplica: Sendable {
    let identity: String
    let process: KubectlProcess
    let log: URL

    private static let servingLine = "serving metrics and health checks"

    /// The port its `--http-address 127.0.0.1:0` was bound to, as it logged it.
    func httpPort(within limit: Duration = .seconds(10)) async throws -> Int {
        try await eventually("\(identity) to log its metrics address", within: limit) {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            guard let line = text.split(separator: "\n").first(where: { $0.contains(Self.servingLine) }),
                let range = line.range(of: "address=127.0.0.1:")
            else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        } diagnostics: {
            (try? String(contentsOf: log, encoding: .utf8)) ?? "(no log)"
        }
    }

    /// The HTTP status of `GET /readyz`, nil when nothing answers.
    func readiness() async throws -> Int? {
        let port = try await httpPort()
        guard let url = URL(string: "http://127.0.0.1:\(port)/readyz") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }
}
