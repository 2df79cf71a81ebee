/// Asks `probe` again every `interval` until it answers with a value.
///
/// The processes under test change the API server's objects on their own schedule, so the test observes
/// them the way a user with kubectl would: by asking again. `limit` is only the safety net that turns a hang
/// into a failure; its message names what was awaited and adds `diagnostics()` (the children's logs).
func eventually<Value>(
    _ what: String, within limit: Duration, every interval: Duration = .milliseconds(50),
    _ probe: () async throws -> Value?, diagnostics: () -> String = { "" }
) async throws -> Value {
    let deadline = ContinuousClock.now + limit
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now < deadline else {
            throw DevTestFailure("timed out after \(limit) waiting for \(what)\n\(diagnostics())")
        }
        try await Task.sleep(for: interval)
    }
}
