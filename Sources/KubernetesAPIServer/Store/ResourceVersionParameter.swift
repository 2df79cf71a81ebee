import KubernetesModels

/// A `resourceVersion` query parameter, read the way kube-apiserver reads it.
enum ResourceVersionParameter: Sendable, Hashable {
    /// Unset or `""`: the latest state.
    case latest
    /// `"0"`: any state the server has at hand.
    case any
    case exactly(UInt64)

    init(_ text: String?) throws(Status) {
        guard let text, !text.isEmpty else {
            self = .latest
            return
        }
        guard let value = UInt64(text) else {
            throw Status(
                code: 400, reason: .badRequest,
                message: "resourceVersion: Invalid value: \"\(text)\": must be a non-negative integer")
        }
        self = value == 0 ? .any : .exactly(value)
    }
}

extension Status {
    /// kube-apiserver's 410 for a watch from a version older than its history.
    static func tooOldResourceVersion(_ requested: UInt64, oldest: UInt64) -> Status {
        .expired("too old resource version: \(requested) (\(oldest))")
    }
}
