import Logging

/// `--log-format`: how the long-running commands write their logs. Text stays the default because a person
/// starting `kube-vip dev` reads it; JSON is for a cluster whose logs are collected.
///
/// A flag only, with no environment variable: upstream kube-vip has none for this, and one more variable in the
/// DaemonSet is one more thing to keep in step with the flag.
public enum LogFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    case text
    case json

    public var description: String { rawValue }

    /// The handler for one logger, writing to standard error (stdout is kept for what scripts read).
    public func handler(label: String, level: Logger.Level) -> any LogHandler {
        switch self {
        case .text:
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        case .json:
            return JSONLogHandler(label: label, logLevel: level)
        }
    }
}
