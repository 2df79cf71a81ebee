import Foundation
import Hummingbird
import KubernetesModels
import NIOCore

/// Responses whose body is one JSON document (everything but watches).
enum JSONResponse {
    static let jsonContentType = "application/json"
    static let tableContentType = "application/json;as=Table;v=v1;g=meta.k8s.io"

    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = jsonContentType)
        -> Response
    {
        let data = value.serialized()
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A failure as the `Status` object clients parse; the HTTP status is the Status' code.
    static func failure(_ status: Status) -> Response {
        let value = (try? JSONValue(encoding: status)) ?? ["kind": "Status", "code": .int(Int64(status.code))]
        return make(value, status: HTTPResponse.Status(code: status.code))
    }

    static func text(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Status {
    /// kube-apiserver's answer for a path or resource it does not serve.
    static let pathNotFound = Status(code: 404, reason: .notFound, message: "the server could not find the requested resource")

    static let methodNotAllowed = Status(
        code: 405, reason: .methodNotAllowed, message: "the server does not allow this method on the requested resource")

    static func internalError(_ message: String) -> Status {
        Status(code: 500, reason: .internalError, message: "Internal error occurred: \(message)")
    }
}
