import ArgumentParser
import Foundation
import Logging

/// What every long-running subcommand does first, and how each reports a fatal setup problem.
enum ProcessSetup {
    /// Unblocks SIGTERM/SIGINT (a parent's blocked mask is inherited) and sends logs to stderr at `level`,
    /// keeping stdout for what scripts read.
    static func start(logLevel level: Logger.Level) {
        SignalMask.unblockTerminationSignals()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Not a usage error: no help text, just what is wrong and the exit status.
    static func fail(_ error: any Error) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
        return ExitCode.failure
    }
}
