import KubernetesModels
import PropertyBased
import Testing

@Suite("JSON merge patch (RFC 7386)")
struct JSONMergePatchTests {
    /// The examples of RFC 7386 appendix A, plus Kubernetes-shaped ones.
    static let cases: [(target: String, patch: String, result: String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
        (
            #"{"metadata":{"name":"web","labels":{"app":"web","tier":"front"}},"spec":{"ports":[{"port":80}]}}"#,
            #"{"metadata":{"labels":{"tier":null,"env":"dev"}},"spec":{"ports":[{"port":8080}]}}"#,
            #"{"metadata":{"name":"web","labels":{"app":"web","env":"dev"}},"spec":{"ports":[{"port":8080}]}}"#
        ),
    ]

    @Test("applies the RFC 7386 examples and Kubernetes-shaped patches", arguments: cases.indices)
    func table(index: Int) throws {
        let (target, patch, result) = Self.cases[index]
        #expect(try JSONMergePatch.apply(json(patch), to: json(target)) == json(result))
    }

    @Test("applying the diff of a to b turns a into b")
    func diffRoundTrip() async {
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var generator = RandomJSON(seed: seed)
            let original = generator.object()
            let modified = generator.object()
            let patch = JSONMergePatch.diff(from: original, to: modified)
            #expect(JSONMergePatch.apply(patch, to: original) == modified, "patch \(text(patch))")
        }
    }

    @Test("applying a patch twice changes nothing the second time")
    func idempotent() async {
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var generator = RandomJSON(seed: seed)
            let target = generator.object()
            let patch = generator.patch()
            let once = JSONMergePatch.apply(patch, to: target)
            #expect(JSONMergePatch.apply(patch, to: once) == once, "patch \(text(patch))")
        }
    }

    @Test("the diff of a document with itself is the empty patch")
    func emptyDiff() async {
        await propertyCheck(count: 100, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var generator = RandomJSON(seed: seed)
            let document = generator.object()
            #expect(JSONMergePatch.diff(from: document, to: document) == [:])
        }
    }
}
