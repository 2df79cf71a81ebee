import KubernetesModels
import Testing

/// The record exactly as upstream kube-vip-cloud-provider writes it (the annotation, the label and the legacy
/// spec field), which is what lets either half of kube-vip run beside the upstream other half.
func expectRecord(
    _ service: KubernetesService, from pool: IPv4Range, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        pool.contains(service.recordedAddress),
        "\(service.key): \(service.recordedAddress ?? "no address") is not in \(pool)", sourceLocation: sourceLocation)
    expectRecordComplete(service, sourceLocation: sourceLocation)
}

func expectRecord(
    _ service: KubernetesService, exactly address: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(service.recordedAddress == address, "\(service.key)", sourceLocation: sourceLocation)
    expectRecordComplete(service, sourceLocation: sourceLocation)
}

private func expectRecordComplete(_ service: KubernetesService, sourceLocation: SourceLocation) {
    #expect(
        service.metadata.labels?["implementation"] == "kube-vip", "\(service.key)", sourceLocation: sourceLocation)
    #expect(
        service.spec?.loadBalancerIP == service.recordedAddress, "\(service.key)", sourceLocation: sourceLocation)
}
