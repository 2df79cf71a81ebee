import Foundation
import Hummingbird
import KubernetesModels
import NIOCore

/// The verbs on `/api/v1/...` and `/apis/{group}/{version}/...`: get, list, watch, create, update, patch,
/// delete and deletecollection, translated into `ObjectStore` calls.
struct ResourceHandler: Sendable {
    var store: ObjectStore
    var settings: WatchSettings

    func handle(_ request: Request, path: ResourcePath) async throws -> Response {
        let target = try ResourceTarget(path)
        let query = QueryParameters(request.uri.query)
        switch (request.method, target.name) {
        case (.get, nil), (.head, nil):
            if path.isWatchPrefix || query.bool("watch") {
                return try await watch(request, target: target, query: query)
            }
            return try await list(request, target: target, query: query)
        case (.get, let name?), (.head, let name?):
            if path.isWatchPrefix {
                return try await watch(request, target: target, query: query, name: name)
            }
            let form = try ResponseForm.negotiate(accept: request.headers[.accept])
            let object = try await store.get(target.type, namespace: target.namespace, name: name)
            return respond(with: object, form: form, target: target, query: query)
        case (.post, nil) where target.subresource == .main:
            return try await create(request, target: target, query: query)
        case (.put, let name?):
            var request = request
            let object = try await decodeObject(&request, target: target)
            let updated = try await store.update(
                target.type, namespace: target.namespace, name: name, object: object,
                subresource: target.subresource, dryRun: Self.isDryRun(query))
            return JSONResponse.make(updated)
        case (.patch, let name?):
            return try await patch(request, target: target, name: name, query: query)
        case (.delete, let name?):
            return try await delete(request, target: target, name: name, query: query)
        case (.delete, nil) where target.subresource == .main:
            return try await deleteCollection(target: target, query: query)
        default:
            throw Status.methodNotAllowed
        }
    }

    // MARK: Reads

    private func list(_ request: Request, target: ResourceTarget, query: QueryParameters) async throws -> Response {
        let form = try ResponseForm.negotiate(accept: request.headers[.accept])
        let options = try ListQuery.options(query)
        let page = try await store.list(target.type, namespace: target.namespace, options: options)
        switch form {
        case .table:
            let table = ResourceTable(
                resource: target.type.resource, group: target.type.group,
                includeObject: .init(parameter: query["includeObject"]))
            return JSONResponse.make(
                table.table(for: page.items, resourceVersion: page.resourceVersion, continueToken: page.continueToken),
                contentType: JSONResponse.tableContentType)
        case .object:
            var metadata: JSONValue = ["resourceVersion": .string(page.resourceVersion)]
            if let token = page.continueToken, !token.isEmpty { metadata["continue"] = .string(token) }
            return JSONResponse.make([
                "kind": .string(target.type.listKind), "apiVersion": .string(target.type.apiVersion),
                "metadata": metadata, "items": .array(page.items),
            ])
        }
    }

    private func respond(with object: JSONValue, form: ResponseForm, target: ResourceTarget, query: QueryParameters)
        -> Response
    {
        guard form == .table else { return JSONResponse.make(object) }
        let table = ResourceTable(
            resource: target.type.resource, group: target.type.group,
            includeObject: .init(parameter: query["includeObject"]))
        return JSONResponse.make(
            table.table(for: [object], resourceVersion: object.metadataResourceVersion),
            contentType: JSONResponse.tableContentType)
    }

    private func watch(_ request: Request, target: ResourceTarget, query: QueryParameters, name: String? = nil)
        async throws -> Response
    {
        let form = try ResponseForm.negotiate(accept: request.headers[.accept])
        let options = try ListQuery.options(query, name: name)
        // Asked before the response starts, so an expired resourceVersion is a plain HTTP 410.
        let events = try await store.watch(target.type, namespace: target.namespace, options: options)
        let timeout = query.integer("timeoutSeconds").map { Duration.seconds($0) } ?? settings.defaultTimeout
        let stream = WatchStream(
            events: events,
            form: form == .table
                ? .table(
                    ResourceTable(
                        resource: target.type.resource, group: target.type.group,
                        includeObject: .init(parameter: query["includeObject"])))
                : .object,
            timeout: timeout, bookmarksAllowed: options.allowWatchBookmarks, store: store,
            finalBookmarkGrace: settings.finalBookmarkGrace)
        var headers = HTTPFields()
        headers[.contentType] = form == .table ? JSONResponse.tableContentType : JSONResponse.jsonContentType
        // Watching for the client's close means the connection is closed after the stream; saying so up front
        // keeps clients from putting it back in their pool and sending the next request into a closed socket.
        headers[.connection] = "close"
        let body = request.body
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // Ends the stream as soon as the client closes its side, instead of at the next event.
                try await body.consumeWithCancellationOnInboundClose { _ in
                    try await stream.write(to: &writer)
                }
            })
    }

    // MARK: Writes

    private func create(_ request: Request, target: ResourceTarget, query: QueryParameters) async throws -> Response {
        var request = request
        let object = try await decodeObject(&request, target: target)
        let created = try await store.create(
            target.type, namespace: target.namespace, object: object, dryRun: Self.isDryRun(query))
        return JSONResponse.make(created, status: .created)
    }

    private func patch(_ request: Request, target: ResourceTarget, name: String, query: QueryParameters)
        async throws -> Response
    {
        let format = try PatchFormat.from(contentType: request.headers[.contentType])
        var request = request
        let body = try await Self.collect(&request)
        let application = try PatchApplication(format: format, body: body, target: target)
        let result = try await store.modify(
            target.type, namespace: target.namespace, name: name, subresource: target.subresource,
            createIfMissing: format == .apply && target.subresource == .main, dryRun: Self.isDryRun(query)
        ) { current throws(Status) in
            try application.apply(to: current)
        }
        return JSONResponse.make(result.object, status: result.created ? .created : .ok)
    }

    private func delete(_ request: Request, target: ResourceTarget, name: String, query: QueryParameters)
        async throws -> Response
    {
        let contentType = request.headers[.contentType]
        var request = request
        let options = try DeleteOptionsBody(try await Self.collect(&request), contentType: contentType)
        let deleted = try await store.delete(
            target.type, namespace: target.namespace, name: name,
            preconditionResourceVersion: options.preconditionResourceVersion,
            preconditionUID: options.preconditionUID, dryRun: options.dryRun || Self.isDryRun(query))
        return JSONResponse.make(deleted)
    }

    /// Deletes every matching object one by one and answers with the list of what was deleted.
    private func deleteCollection(target: ResourceTarget, query: QueryParameters) async throws -> Response {
        var options = try ListQuery.options(query)
        options.limit = nil
        let page = try await store.list(target.type, namespace: target.namespace, options: options)
        var deleted: [JSONValue] = []
        for item in page.items {
            guard let name = item.metadataName else { continue }
            let result: Result<JSONValue, Status>
            do {
                result = .success(
                    try await store.delete(
                        target.type, namespace: item.metadataNamespace ?? target.namespace, name: name,
                        preconditionResourceVersion: nil, preconditionUID: nil, dryRun: Self.isDryRun(query)))
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success(let object): deleted.append(object)
            case .failure(let status) where status.code == 404: continue  // deleted meanwhile by someone else
            case .failure(let status): throw status
            }
        }
        return JSONResponse.make([
            "kind": .string(target.type.listKind), "apiVersion": .string(target.type.apiVersion),
            "metadata": ["resourceVersion": .string(page.resourceVersion)], "items": .array(deleted),
        ])
    }

    // MARK: Bodies

    private func decodeObject(_ request: inout Request, target: ResourceTarget) async throws -> JSONValue {
        let format = try ObjectBodyFormat.from(contentType: request.headers[.contentType])
        let body = try await Self.collect(&request)
        return try target.conforming(try RequestBodyDecoder.object(body, format: format))
    }

    static func collect(_ request: inout Request) async throws -> [UInt8] {
        do {
            let buffer = try await request.collectBody(upTo: RequestBodyDecoder.maximumSize)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Status(code: 413, reason: "RequestEntityTooLarge", message: "the request is too large")
        }
    }

    /// `?dryRun=All` (the only value kube-apiserver accepts).
    static func isDryRun(_ query: QueryParameters) -> Bool {
        query["dryRun"] == "All"
    }
}
