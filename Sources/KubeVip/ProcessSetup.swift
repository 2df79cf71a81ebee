import ArgumentParser
import Foundation
import KubernetesClient
import Logging
import ServiceLifecycle
import StructuredLogging
import Synchronization

/// What every long-running subcommand does first, and how each reports a fatal setup problem.
enum ProcessSetup {
    /// Unblocks SIGTERM/SIGINT (a parent's blocked mask is inherited) and sends logs to stderr at `level`, as
    /// text or as JSON lines (`--log-format`), keeping stdout for what scripts read.
    static func start(logLevel level: Logger.Level, format: LogFormat = .text) {
        SignalMask.unblockTerminationSignals()
        chosenFormat.withLock { $0 = format }
        LoggingSystem.bootstrap { label in format.handler(label: label, level: level) }
    }

    /// The format `start` chose, for `fail`.
    private static let chosenFormat = Mutex(LogFormat.text)

    /// Not a usage error: no help text, just what is wrong and the exit status.
    static func fail(_ error: any Error) -> ExitCode {
        fail(message: "\(error)")
    }

    /// `Error: <message>` for people; under `--log-format json` a critical JSON line instead, so that a log
    /// collector also parses why a pod keeps failing to start.
    static func fail(message: String) -> ExitCode {
        if chosenFormat.withLock({ $0 }) == .json {
            Logger(label: "kube-vip").critical("\(message)")
        } else {
            FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        }
        return ExitCode.failure
    }

    /// Runs a role's services until SIGTERM/SIGINT has shut them down gracefully (in reverse order of the
    /// list), then closes the API client, also when a service failed.
    static func run(
        _ services: [ServiceGroupConfiguration.ServiceConfiguration], client: KubernetesClient, logger: Logger
    ) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}

/// Visible to every command file without each importing StructuredLogging.
typealias LogFormat = StructuredLogging.LogFormat

extension StructuredLogging.LogFormat: ExpressibleByArgument {}
