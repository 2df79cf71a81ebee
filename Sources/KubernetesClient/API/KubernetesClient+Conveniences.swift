import KubernetesModels

/// The writes the allocator and the node agent make, shaped so that they cannot clobber other writers.
extension KubernetesClient {
    /// Sets (or, for a `nil` value, removes) annotations and labels with a merge patch, so concurrent edits
    /// of other keys survive and no resourceVersion dance is needed.
    @discardableResult
    public func patchServiceMetadata(
        namespace: String, name: String, annotations: [String: String?] = [:], labels: [String: String?] = [:],
        fieldManager: String? = nil
    ) async throws -> KubernetesService {
        var metadata: JSONValue = [:]
        if !annotations.isEmpty { metadata["annotations"] = Self.mergeMap(annotations) }
        if !labels.isEmpty { metadata["labels"] = Self.mergeMap(labels) }
        return try await patch(
            .services, namespace: namespace, name: name, type: .merge, patch: ["metadata": metadata],
            options: WriteOptions(fieldManager: fieldManager), as: KubernetesService.self)
    }

    /// Replaces `status.loadBalancer` through the status subresource. A merge patch replaces the `ingress`
    /// list whole, which is what "these are the addresses now" means; an empty status clears it.
    @discardableResult
    public func patchServiceStatus(
        namespace: String, name: String, loadBalancer: LoadBalancerStatus, fieldManager: String? = nil
    ) async throws -> KubernetesService {
        var encoded: JSONValue
        do {
            encoded = try JSONValue(encoding: loadBalancer)
        } catch {
            throw KubernetesClientError.decoding("cannot encode LoadBalancerStatus: \(error)")
        }
        if encoded["ingress"] == nil { encoded["ingress"] = [] }
        return try await patch(
            .services, namespace: namespace, name: name, type: .merge, patch: ["status": ["loadBalancer": encoded]],
            subresource: "status", options: WriteOptions(fieldManager: fieldManager), as: KubernetesService.self)
    }

    /// Writes a Lease with optimistic concurrency, the primitive of leader election.
    ///
    /// Without `metadata.resourceVersion` the Lease is created; with it, it is replaced only if nobody wrote
    /// it since that version. Losing either race throws `KubernetesClientError.conflict` (a create that finds
    /// the Lease already there is reported as a conflict too, since for the caller it is the same: someone
    /// else got there first; re-read and decide again). The typed Lease is written whole, so Lease fields
    /// the model lacks (alpha `strategy`, `preferredHolder`) are not preserved; use `readModifyWrite` where
    /// that matters.
    public func createOrUpdateLease(_ lease: Lease, namespace: String? = nil) async throws -> Lease {
        let namespace = namespace ?? lease.metadata.namespace ?? configuration.namespace
        do {
            if let resourceVersion = lease.metadata.resourceVersion, !resourceVersion.isEmpty {
                return try await update(.leases, namespace: namespace, lease)
            }
            return try await create(.leases, namespace: namespace, lease)
        } catch KubernetesClientError.alreadyExists(let status) {
            throw KubernetesClientError.conflict(status)
        }
    }

    /// Read, change, write back with the read resourceVersion; on a conflict, read again and repeat.
    /// Works on the raw object so fields the models do not know are written back untouched.
    @discardableResult
    public func readModifyWrite(
        _ resource: ResourceDescriptor, namespace: String?, name: String, maximumAttempts: Int = 5,
        subresource: String? = nil, _ change: (inout JSONValue) throws -> Void
    ) async throws -> JSONValue {
        var attempt = 1
        while true {
            var object = try await get(resource, namespace: namespace, name: name)
            try change(&object)
            do {
                return try await update(resource, namespace: namespace, object: object, subresource: subresource)
            } catch KubernetesClientError.conflict(let status) {
                guard attempt < maximumAttempts else { throw KubernetesClientError.conflict(status) }
                attempt += 1
            }
        }
    }

    private static func mergeMap(_ values: [String: String?]) -> JSONValue {
        .object(values.mapValues { $0.map(JSONValue.string) ?? .null })
    }
}
