import KubernetesModels

/// A JSON value from JSON text, so patch tables read like the bodies clients send.
func json(_ text: String) throws -> JSONValue {
    try JSONValue(parsing: Array(text.utf8))
}

/// Compact, sorted JSON text of a value, for readable failure messages.
func text(_ value: JSONValue) -> String {
    String(decoding: value.serialized(), as: UTF8.self)
}
