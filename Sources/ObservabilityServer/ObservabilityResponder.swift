import Hummingbird
import Logging

/// Answers /metrics and the probe endpoints. Nothing here can fail: every request gets a text answer.
struct ObservabilityResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    var metrics: MetricsRegistry
    var health: HealthChecks
    var logger: Logger

    /// What Prometheus 2.x scrapes and expects back.
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    func respond(to request: Request, context: Context) async throws -> Response {
        guard let route = ObservabilityRoute(path: request.uri.path) else {
            return Self.text("404 page not found\n", status: .notFound)  // Go's wording, for the same endpoints
        }
        guard request.method == .get || request.method == .head else {
            var response = Self.text("method not allowed\n", status: .methodNotAllowed)
            response.headers[.allow] = "GET, HEAD"
            return response
        }
        let query = request.uri.queryParameters
        let response = answer(
            route, verbose: query.has("verbose"), excluded: query[values: "exclude"].map(String.init))
        // Same headers, Content-Length included, without the body.
        return request.method == .head ? response.createHeadResponse() : response
    }

    /// `verbose` and `excluded` are kube-apiserver's `?verbose` and `?exclude=NAME` (repeatable).
    private func answer(_ route: ObservabilityRoute, verbose: Bool, excluded: [String]) -> Response {
        switch route {
        case .metrics:
            return Self.text(metrics.exposition(), status: .ok, contentType: Self.metricsContentType)
        case .probe(let endpoint, let check):
            let results = endpoint == .readyz ? health.readiness() : health.liveness()
            let report: HealthReport
            if let check {
                guard let single = HealthReport.single(named: check, results: results, verbose: verbose) else {
                    return Self.text("404 page not found\n", status: .notFound)
                }
                report = single
            } else {
                report = HealthReport.overall(endpoint: endpoint, results: results, verbose: verbose, excluded: excluded)
            }
            if !report.passed {
                logger.debug("\(endpoint.rawValue) check failed", metadata: ["report": "\(report.body)"])
            }
            var response = Self.text(report.body, status: report.passed ? .ok : .serviceUnavailable)
            response.headers[.xContentTypeOptions] = "nosniff"
            return response
        }
    }

    private static func text(
        _ body: String, status: HTTPResponse.Status, contentType: String = "text/plain; charset=utf-8"
    ) -> Response {
        Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
