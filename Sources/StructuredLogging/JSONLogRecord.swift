import Logging

/// One log line's content, formatted without any I/O so that the format can be tested on its own.
///
/// The line is one JSON object:
/// `{"time":"…Z","level":"info","logger":"kube-vip.manager","message":"…","error":"…","metadata":{…},
/// "source":"NodeAgent","file":"NodeAgent/AgentLoop.swift","line":42}`. `error` and `metadata` appear only when
/// there is something to show; `source`, `file` and `line` only at debug and trace, where a developer is
/// reading, since at info and above they add bytes to every line in a log store for no operator's benefit.
public struct JSONLogRecord: Sendable {
    public var time: LogTimestamp
    public var level: Logger.Level
    /// The logger's label.
    public var logger: String
    public var message: String
    public var metadata: Logger.Metadata
    /// The description of the error passed to the log call, if any.
    public var error: String?
    public var source: String
    public var file: String
    public var line: UInt

    public init(
        time: LogTimestamp, level: Logger.Level, logger: String, message: String, metadata: Logger.Metadata = [:],
        error: String? = nil, source: String = "", file: String = "", line: UInt = 0
    ) {
        self.time = time
        self.level = level
        self.logger = logger
        self.message = message
        self.metadata = metadata
        self.error = error
        self.source = source
        self.file = file
        self.line = line
    }

    /// Whether `source`, `file` and `line` are written.
    public var includesSourceLocation: Bool { level <= .debug }

    /// The UTF-8 bytes of the JSON object followed by one newline: exactly what is written, in one piece.
    public func jsonLine() -> [UInt8] {
        var json = JSONText(capacity: 128 + message.utf8.count)
        json.append(raw: "{\"time\":")
        json.append(string: time.rfc3339)
        json.append(raw: ",\"level\":")
        json.append(string: level.rawValue)
        json.append(raw: ",\"logger\":")
        json.append(string: logger)
        json.append(raw: ",\"message\":")
        json.append(string: message)
        if let error {
            json.append(raw: ",\"error\":")
            json.append(string: error)
        }
        if !metadata.isEmpty {
            json.append(raw: ",\"metadata\":")
            json.append(object: metadata)
        }
        if includesSourceLocation {
            json.append(raw: ",\"source\":")
            json.append(string: source)
            json.append(raw: ",\"file\":")
            json.append(string: file)
            json.append(raw: ",\"line\":")
            json.append(number: line)
        }
        json.append(raw: "}\n")
        return json.bytes
    }

    /// `jsonLine()` as text, for tests and for callers that collect lines.
    public var jsonLineText: String { String(decoding: jsonLine(), as: UTF8.self) }
}
