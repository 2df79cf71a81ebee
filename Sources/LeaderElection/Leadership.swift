/// This replica's standing in the election, as published on `LeaderElector.changes`.
public enum Leadership: Sendable, Hashable {
    /// This replica holds the Lease; its `WriteFence` is open.
    case leading
    /// Another replica holds the Lease, or (`nil`) nobody does, or this replica does not know yet (the API
    /// server has not answered, or a renewal deadline has just passed).
    case following(holder: String?)
}
