import Benchmark

// Benchmarks of the Kubernetes layer at the scale of a cluster with thousands of LoadBalancer Services:
// JSON in and out, watch-line decoding, the embedded API server's store, and the patches kubectl and the
// cloud-provider send. Fixtures are built outside the measured regions; results are checked once, outside
// them too, so that a benchmark cannot silently measure a failure path.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 2,
        maxDuration: .seconds(2),
        maxIterations: 2_000
    )
    registerJSONBenchmarks()
    registerWatchBenchmarks()
    registerPatchBenchmarks()
    registerStoreBenchmarks()
}
