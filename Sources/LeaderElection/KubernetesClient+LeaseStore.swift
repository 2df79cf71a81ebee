import KubernetesClient
import KubernetesModels

/// The API server as a `LeaseStore`: 404 on read is "no Lease", 409 on write (and a 404 on update, the Lease
/// having been deleted since it was read) is "someone else got there first".
extension KubernetesClient: LeaseStore {
    public func lease(namespace: String, name: String) async throws -> Lease? {
        do {
            return try await get(.leases, namespace: namespace, name: name, as: Lease.self)
        } catch KubernetesClientError.notFound {
            return nil
        }
    }

    public func create(_ lease: Lease, namespace: String) async throws -> Lease {
        do {
            return try await create(.leases, namespace: namespace, lease)
        } catch KubernetesClientError.alreadyExists, KubernetesClientError.conflict {
            throw LeaseStoreError.conflict
        }
    }

    public func update(_ lease: Lease, namespace: String) async throws -> Lease {
        do {
            return try await update(.leases, namespace: namespace, lease)
        } catch KubernetesClientError.conflict, KubernetesClientError.notFound {
            throw LeaseStoreError.conflict
        }
    }
}
