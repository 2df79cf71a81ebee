import Logging
import ServiceLifecycle

extension EmbeddedAPIServer {
    /// Runs an in-memory server on a free loopback port for the length of `body` (which gets the port) and
    /// stops it gracefully however `body` ends, so no server outlives its caller: what tests and benchmarks
    /// of the roles need.
    ///
    /// Graceful, not cancelled: cancelling a NIO server task while a connection is being accepted traps in
    /// NIOAsyncWriter's deinit (apple/swift-nio#3481), which would take the whole process down.
    /// `configuration` is used as given but for the port, which is always a free one.
    public static func withRunningServer<T>(
        configuration: APIServerConfiguration = APIServerConfiguration(), logger: Logger,
        _ body: (Int) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.port = 0
        let server = try EmbeddedAPIServer(configuration: configuration, logger: logger)
        let group = ServiceGroup(services: [server], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body(try await server.listeningPort())
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
