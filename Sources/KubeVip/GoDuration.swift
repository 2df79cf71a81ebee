import ArgumentParser
import KubernetesClient

/// A duration written as Go's `time.ParseDuration` reads it (`15s`, `1m30s`, `500ms`, `1.5h`), because the
/// cloud-controller-manager flags this role stays compatible with take that form.
struct GoDuration: ExpressibleByArgument, Sendable, Hashable, CustomStringConvertible {
    let duration: Duration
    let text: String

    init(_ duration: Duration, text: String) {
        self.duration = duration
        self.text = text
    }

    init?(argument: String) {
        guard let duration = Self.parse(argument) else { return nil }
        self.init(duration, text: argument)
    }

    var description: String { text }
    var defaultValueDescription: String { text }

    static func parse(_ text: String) -> Duration? {
        guard let seconds = GoDurationSyntax.seconds(text), seconds >= 0, seconds < 1e9 else { return nil }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
