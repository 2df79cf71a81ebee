import KubernetesModels

extension JSONValue {
    /// Compact JSON text, for error messages that quote a value.
    var serializedText: String { String(decoding: serialized(), as: UTF8.self) }
}
