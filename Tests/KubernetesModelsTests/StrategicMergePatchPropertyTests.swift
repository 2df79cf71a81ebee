import KubernetesModels
import PropertyBased
import Testing

@Suite("Strategic merge patch properties")
struct StrategicMergePatchPropertyTests {
    @Test("without merge keys or directives it is a JSON merge patch")
    func agreesWithMergePatch() async throws {
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var generator = RandomJSON(seed: seed)
            let target = generator.object()
            let patch = generator.patch()
            let strategic = try StrategicMergePatch.apply(patch, to: target, schema: .replaceLists)
            #expect(strategic == JSONMergePatch.apply(patch, to: target), "patch \(text(patch))")
        }
    }

    /// Random Service port edits, as kubectl would make them: update, add or delete by port.
    static func portPatch(_ random: inout SeededGenerator) -> JSONValue {
        var items: [JSONValue] = []
        for port in Set(
            (0..<Int.random(in: 0...4, using: &random)).map { _ in Int64.random(in: 1...6, using: &random) })
        {
            if Int.random(in: 0..<4, using: &random) == 0 {
                items.append(["port": .int(port), "$patch": "delete"])
            } else {
                items.append(["port": .int(port), "name": .string("p\(Int.random(in: 0...2, using: &random))")])
            }
        }
        return ["spec": ["ports": .array(items)]]
    }

    static func liveService(_ random: inout SeededGenerator) -> JSONValue {
        let ports = Set(
            (0..<Int.random(in: 0...4, using: &random)).map { _ in Int64.random(in: 1...6, using: &random) })
        return ["spec": ["ports": .array(ports.sorted().map { ["port": .int($0), "nodePort": .int(30000 + $0)] })]]
    }

    @Test("merging Service ports is idempotent and leaves exactly the expected ports")
    func servicePorts() async throws {
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SeededGenerator(seed: seed)
            let live = Self.liveService(&random)
            let patch = Self.portPatch(&random)
            let once = try StrategicMergePatch.apply(patch, to: live, schema: .forKind("Service"))
            let twice = try StrategicMergePatch.apply(patch, to: once, schema: .forKind("Service"))
            #expect(once == twice, "patch \(text(patch))")

            let livePorts = Set(live[path: "spec", "ports"]?.arrayValue?.compactMap { $0["port"] } ?? [])
            var expected = livePorts
            for item in patch[path: "spec", "ports"]?.arrayValue ?? [] {
                guard let port = item["port"] else { continue }
                if item["$patch"] == "delete" { expected.remove(port) } else { expected.insert(port) }
            }
            let ports = once[path: "spec", "ports"]?.arrayValue ?? []
            #expect(Set(ports.compactMap { $0["port"] }) == expected)
            #expect(ports.count == expected.count, "no duplicates")
            for port in ports where livePorts.contains(port["port"] ?? .null) {
                #expect(port["nodePort"] != nil, "live fields of a kept port survive")
            }
        }
    }
}
