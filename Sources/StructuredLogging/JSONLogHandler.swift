import Logging

/// A swift-log handler that writes each event as one JSON object per line (`--log-format json`), for log
/// pipelines (Loki, Elasticsearch, Cloud Logging) that would otherwise have to parse free text.
///
/// Metadata is merged as swift-log's own handlers merge it: the handler's, then the metadata provider's, then
/// the log call's, later keys winning. The level check is `Logger`'s; a handler only formats and writes.
public struct JSONLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: LogLineOutput
    private let clock: @Sendable () -> LogTimestamp

    public init(
        label: String, logLevel: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        output: LogLineOutput = .standardError, clock: @escaping @Sendable () -> LogTimestamp = LogTimestamp.now
    ) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.output = output
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        let record = JSONLogRecord(
            time: clock(), level: event.level, logger: label, message: event.message.description, metadata: merged,
            error: event.error.map { "\($0)" }, source: event.source, file: event.file, line: event.line)
        output.write(record.jsonLine())
    }
}
