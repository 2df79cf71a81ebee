import IPAM
import KubeVipConventions
import KubernetesModels
import NetworkAddresses

/// One Service's pending change: a merge patch of its metadata and spec, and/or a new load-balancer status.
///
/// Writes are computed against the Service as last seen and carry only what differs, so a Service that already
/// shows its record costs no request at all.
public struct ServiceWrite: Sendable, Hashable {
    public let key: ServiceKey
    /// Merge patch for the main resource; carries `metadata.resourceVersion` when it records a new allocation,
    /// so that the API server refuses it (409) if the Service changed since that decision.
    public var patch: JSONValue?
    /// `status.loadBalancer` to set (only with `--write-status`).
    public var status: LoadBalancerStatus?

    public init(key: ServiceKey, patch: JSONValue?, status: LoadBalancerStatus?) {
        self.key = key
        self.patch = patch
        self.status = status
    }

    /// Whether the patch is guarded by a resourceVersion.
    public var isGuarded: Bool { patch?[path: "metadata", "resourceVersion"] != nil }
}

/// How an allocation is written onto a Service, exactly as kube-vip-cloud-provider writes it.
enum RecordPlan {
    /// The write that makes `view` show `assignment`, or nil when it already does.
    static func record(
        _ view: ServiceView, assignment: Assignment, interface: String?, writeStatus: Bool
    ) -> ServiceWrite? {
        var annotations: [String: JSONValue] = [:]
        var labels: [String: JSONValue] = [:]
        var spec: [String: JSONValue] = [:]
        var recordChanges = false

        let recorded = try? view.recordedAddresses?.get()
        if recorded != assignment.addresses {
            annotations[KubeVipKeys.loadBalancerIPs] = .string(assignment.annotationValue)
            recordChanges = true
        }
        if !view.hasImplementationLabel {
            labels[KubeVipKeys.implementationLabel] = .string(KubeVipKeys.implementationValue)
        }
        if view.hasLegacyAddressLabel {
            labels[KubeVipKeys.legacyAddressLabel] = .null
        }
        if let first = assignment.addresses.first, view.legacyAddressText != first.description {
            // Legacy readers (older kube-vip, `kubectl get svc -o wide` scripts) look at spec.loadBalancerIP.
            spec["loadBalancerIP"] = .string(first.description)
        }
        if let interface, view.serviceInterface == nil {
            annotations[KubeVipKeys.serviceInterface] = .string(interface)
        }

        var patch: JSONValue?
        if !annotations.isEmpty || !labels.isEmpty || !spec.isEmpty {
            var metadata: [String: JSONValue] = [:]
            if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
            if !labels.isEmpty { metadata["labels"] = .object(labels) }
            if recordChanges, let version = view.resourceVersion {
                metadata["resourceVersion"] = .string(version)
            }
            var body: [String: JSONValue] = ["metadata": .object(metadata)]
            if !spec.isEmpty { body["spec"] = .object(spec) }
            patch = .object(body)
        }
        let status = writeStatus ? statusChange(view, addresses: assignment.addresses) : nil
        guard patch != nil || status != nil else { return nil }
        return ServiceWrite(key: view.key, patch: patch, status: status)
    }

    /// The write that takes the allocator's marks off a Service it no longer serves (type changed, class
    /// changed), or nil when there is nothing to take off. `spec.loadBalancerIP` goes too when the allocator
    /// wrote it (the address came from a pool); a user's own request stays.
    static func removal(_ view: ServiceView, clearLegacyAddress: Bool, writeStatus: Bool) -> ServiceWrite? {
        var metadata: [String: JSONValue] = [:]
        if view.recordText != nil {
            metadata["annotations"] = [KubeVipKeys.loadBalancerIPs: .null]
        }
        if view.hasImplementationLabel {
            metadata["labels"] = [KubeVipKeys.implementationLabel: .null]
        }
        var body: [String: JSONValue] = [:]
        if !metadata.isEmpty { body["metadata"] = .object(metadata) }
        if clearLegacyAddress, view.legacyAddressText != nil {
            body["spec"] = ["loadBalancerIP": .null]
        }
        let status = writeStatus && !view.ingressAddresses.isEmpty ? LoadBalancerStatus(ingress: []) : nil
        guard !body.isEmpty || status != nil else { return nil }
        return ServiceWrite(key: view.key, patch: body.isEmpty ? nil : .object(body), status: status)
    }

    /// `status.loadBalancer.ingress` for the held addresses; DHCP's `0.0.0.0` is left to the node agent, which
    /// knows the leased address.
    private static func statusChange(_ view: ServiceView, addresses: [IPAddress]) -> LoadBalancerStatus? {
        let wanted = addresses.filter { !$0.isUnspecified }.map(\.description)
        guard !wanted.isEmpty, wanted != view.ingressAddresses else { return nil }
        return LoadBalancerStatus(ingress: wanted.map { LoadBalancerIngress(ip: $0) })
    }
}
