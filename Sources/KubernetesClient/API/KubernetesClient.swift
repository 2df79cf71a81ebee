import Foundation
import KubernetesModels
import Logging
import NIOCore

/// A client for one Kubernetes API server.
///
/// Every call has a raw form on `JSONValue` (read-modify-write without losing fields the models do not
/// know) and a typed form on `KubernetesObject`s. One `HTTPClient` serves all calls, and one rate limiter
/// paces them; call `shutdown()` before dropping the client.
public final class KubernetesClient: Sendable {
    public let configuration: ClientConfiguration
    let transport: HTTPTransport
    let clock: ClientClock
    let logger: Logger

    public init(
        configuration: ClientConfiguration, clock: ClientClock = .continuous,
        logger: Logger = Logger(label: "kubernetes-client")
    ) throws(ConfigurationError) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.transport = try HTTPTransport(configuration: configuration, clock: clock, logger: logger)
    }

    /// Closes connections (open watches end). Required: `HTTPClient` must be shut down before release.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// Runs `body` with a new client and shuts the client down however `body` ends, so that no error path can
    /// forget the shutdown `HTTPClient` requires. After a failed `body` its error is thrown, not the shutdown's.
    public static func withClient<T>(
        configuration: ClientConfiguration, clock: ClientClock = .continuous,
        logger: Logger = Logger(label: "kubernetes-client"), _ body: (KubernetesClient) async throws -> T
    ) async throws -> T {
        let client = try KubernetesClient(configuration: configuration, clock: clock, logger: logger)
        let result: T
        do {
            result = try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }

    /// The namespace for a call: the caller's, else the object's, else the configuration's default.
    func namespace(for resource: ResourceDescriptor, _ namespace: String?, object: JSONValue? = nil) -> String? {
        guard resource.namespaced else { return nil }
        return namespace ?? object?.metadataNamespace ?? configuration.namespace
    }

    func send(_ request: APIRequest) async throws -> APIResponse {
        try await transport.perform(request)
    }

    static func parse(_ body: ByteBuffer) throws -> JSONValue {
        do {
            return try JSONValue(parsing: Data(body.readableBytesView))
        } catch {
            throw KubernetesClientError.decoding(error.description)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw KubernetesClientError.decoding("\(T.self): \(error)")
        }
    }

    static func encode(_ value: some Encodable) throws -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try JSONEncoder().encode(value))
        } catch {
            throw KubernetesClientError.decoding("cannot encode \(type(of: value)): \(error)")
        }
    }
}
