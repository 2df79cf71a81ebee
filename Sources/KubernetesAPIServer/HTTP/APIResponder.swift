import Foundation
import Hummingbird
import KubernetesModels
import Logging

/// The embedded server's single responder: classifies the path, serves discovery and health itself and hands
/// resource requests to `ResourceHandler`. Every failure leaves as a `Status`; every request is logged at
/// debug level with method, path, status and duration.
struct APIResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    var resources: ResourceHandler
    var authorizer: (@Sendable (RequestAttributes) -> Bool)?
    var logger: Logger

    init(
        store: ObjectStore, settings: WatchSettings, authorizer: (@Sendable (RequestAttributes) -> Bool)? = nil,
        logger: Logger
    ) {
        self.resources = ResourceHandler(store: store, settings: settings)
        self.authorizer = authorizer
        self.logger = logger
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            try authorize(request)
            response = try await route(request)
        } catch let status as Status {
            response = JSONResponse.failure(status)
        } catch {
            response = JSONResponse.failure(.internalError(String(describing: error)))
        }
        logger.debug(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                "query": "\(request.uri.query ?? "")", "status": "\(response.status.code)",
                "duration": "\(ContinuousClock.now - started)",
            ])
        return response
    }

    /// Before routing, as in kube-apiserver: a denied request is 403 even for a resource that does not exist.
    private func authorize(_ request: Request) throws(Status) {
        guard let authorizer else { return }
        let attributes = RequestAttributes(
            method: request.method.rawValue, path: request.uri.path, query: QueryParameters(request.uri.query),
            userAgent: request.headers[.userAgent])
        if !authorizer(attributes) && attributes.isResourceRequest { throw attributes.forbidden }
    }

    private func route(_ request: Request) async throws -> Response {
        let path = APIPath(request.uri.path)
        if case .resource(let resourcePath) = path {
            return try await resources.handle(request, path: resourcePath)
        }
        guard request.method == .get || request.method == .head else { throw Status.methodNotAllowed }
        let types = ResourceRegistry.all
        switch path {
        case .version: return JSONResponse.make(Discovery.version())
        case .health: return JSONResponse.text("ok")
        case .coreGroupVersions:
            let address = request.head.authority ?? "127.0.0.1"
            return JSONResponse.make(Discovery.coreVersions(serverAddress: address))
        case .groupList: return JSONResponse.make(Discovery.groupList(types))
        case .group(let name):
            return JSONResponse.make(try found(Discovery.group(name, in: types)))
        case .resourceList(let group, let version):
            return JSONResponse.make(try found(Discovery.resourceList(group: group, version: version, in: types)))
        case .openAPIv3Root: return JSONResponse.make(OpenAPIStub.root(types))
        case .openAPIv3GroupVersion(let group, let version):
            return JSONResponse.make(try found(OpenAPIStub.groupVersion(group: group, version: version, in: types)))
        case .openAPIv2, .unknown, .resource: throw Status.pathNotFound
        }
    }

    private func found(_ document: JSONValue?) throws(Status) -> JSONValue {
        guard let document else { throw Status.pathNotFound }
        return document
    }
}

/// Watch timing; configurable so tests need not wait a minute for a bookmark.
struct WatchSettings: Sendable {
    /// Used when a watch names no `timeoutSeconds` (kube-apiserver's minimum request timeout).
    var defaultTimeout: Duration = .seconds(1800)
    var finalBookmarkGrace: Duration = .seconds(2)
}
