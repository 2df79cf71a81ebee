import KubernetesModels

/// Where Leases are read and written: the API server in production, an in-memory double in unit tests.
///
/// Writes are optimistic. Both "someone created it first" and "someone wrote it since you read it" are the
/// same news to an elector, someone else got there first, so both are `LeaseStoreError.conflict`.
public protocol LeaseStore: Sendable {
    /// The Lease, or `nil` if it does not exist.
    func lease(namespace: String, name: String) async throws -> Lease?
    /// Creates the Lease; `LeaseStoreError.conflict` if it already exists.
    func create(_ lease: Lease, namespace: String) async throws -> Lease
    /// Replaces the Lease if its `metadata.resourceVersion` is still current; `LeaseStoreError.conflict`
    /// otherwise.
    func update(_ lease: Lease, namespace: String) async throws -> Lease
}

public enum LeaseStoreError: Error, Sendable {
    /// Another writer got there first; read again and decide again.
    case conflict
}
