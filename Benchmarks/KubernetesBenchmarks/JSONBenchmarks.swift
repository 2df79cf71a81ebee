import Benchmark
import Foundation
import KubernetesModels

/// `JSONValue` parsing and writing against Foundation's `JSONSerialization` on the same bytes.
///
/// `serialized()` sorts keys (equal values give equal bytes), so Foundation writes with `.sortedKeys` too.
func registerJSONBenchmarks() {
    for (label, data) in [("Service 1.5 KB", Fixtures.service), ("ServiceList 1 MB", Fixtures.serviceList)] {
        let large = data.count > 100_000
        let configuration = Benchmark.Configuration(maxIterations: large ? 60 : 2_000)

        Benchmark("JSON parse \(label): JSONValue(parsing:)", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try? JSONValue(parsing: data))
            }
        } setup: {
            require((try? JSONValue(parsing: data)) != nil, "\(label) does not parse")
        }

        Benchmark("JSON parse \(label): Foundation JSONSerialization", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try? JSONSerialization.jsonObject(with: data))
            }
        }

        let value = Slot<JSONValue>()
        Benchmark("JSON write \(label): JSONValue.serialized()", configuration: configuration) { benchmark in
            let value = value.unwrapped
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(value.serialized())
            }
        } setup: {
            value.value = try JSONValue(parsing: data)
            require(try JSONValue(parsing: value.unwrapped.serialized()) == value.unwrapped, "round trip differs")
        }

        let object = Slot<Any>()
        Benchmark("JSON write \(label): Foundation JSONSerialization", configuration: configuration) { benchmark in
            let object = object.unwrapped
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
            }
        } setup: {
            object.value = try JSONSerialization.jsonObject(with: data)
        }
    }

    // What a typed consumer pays on top of the generic tree.
    Benchmark("JSON decode Service: JSONDecoder → KubernetesService") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? JSONDecoder().decode(KubernetesService.self, from: Fixtures.service))
        }
    } setup: {
        let service = try JSONDecoder().decode(KubernetesService.self, from: Fixtures.service)
        require(service.status?.loadBalancer?.ingress?.first?.ip == "10.100.0.7", "typed decode lost the ingress")
    }
}
