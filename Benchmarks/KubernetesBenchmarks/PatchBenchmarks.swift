import Benchmark
import KubernetesModels

/// The two patch shapes a cluster of LoadBalancers sees most: `kubectl apply` (strategic merge) and the
/// cloud-provider's per-Service annotation update (JSON merge patch).
func registerPatchBenchmarks() {
    let live = Slot<JSONValue>()
    let schema = StrategicMergeSchema.forKind("Service")
    let setup: () async throws -> Void = {
        live.value = try JSONValue(parsing: Fixtures.service)
    }

    Benchmark("Patch Service: strategic merge (kubectl apply body)") { benchmark in
        let service = live.unwrapped
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try? StrategicMergePatch.apply(Fixtures.applyPatch, to: service, schema: schema))
        }
    } setup: {
        try await setup()
        let patched = try StrategicMergePatch.apply(Fixtures.applyPatch, to: live.unwrapped, schema: schema)
        let ports = patched[path: "spec", "ports"]?.arrayValue ?? []
        require(ports.count == 2, "the ports list was not merged by key")
        require(ports.last?["targetPort"] == 9443, "the https port was not patched")
        require(ports.first?["name"] == "http", "the http port lost its fields")
        require(patched[path: "metadata", "labels", "tier"] == "frontend", "label not added")
    }

    Benchmark("Patch Service: JSON merge patch of metadata.annotations") { benchmark in
        let service = live.unwrapped
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(JSONMergePatch.apply(Fixtures.annotationPatch, to: service))
        }
    } setup: {
        try await setup()
        let patched = JSONMergePatch.apply(Fixtures.annotationPatch, to: live.unwrapped)
        require(patched[path: "metadata", "annotations", "kube-vip.io/vipHost"] == "node-2", "annotation not set")
        require(
            patched[path: "metadata", "annotations"]?.objectValue?.keys.contains("kube-vip.io/request-ip-address")
                == false,
            "null did not remove the annotation")
    }
}
