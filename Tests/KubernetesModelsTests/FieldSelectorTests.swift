import KubernetesModels
import PropertyBased
import Testing

@Suite("Field selectors")
struct FieldSelectorTests {
    static let service: JSONValue = [
        "metadata": ["name": "web", "namespace": "default"],
        "spec": ["type": "LoadBalancer", "allocateLoadBalancerNodePorts": false, "healthCheckNodePort": 32000],
    ]

    static let matching: [(String, Bool)] = [
        ("", true),
        ("metadata.name=web", true),
        ("metadata.name==web", true),
        ("metadata.name=api", false),
        ("metadata.name!=api", true),
        ("metadata.name=web,metadata.namespace=default", true),
        ("metadata.name=web,metadata.namespace!=default", false),
        ("spec.type=LoadBalancer", true),
        ("spec.allocateLoadBalancerNodePorts=false", true),
        ("spec.healthCheckNodePort=32000", true),
        ("spec.loadBalancerClass=", true),
        ("spec.loadBalancerClass!=", false),
        ("metadata=", true),
        (",,metadata.name=web,", true),
    ]

    @Test("matching on JSON fields, with missing fields read as empty", arguments: matching.indices)
    func matches(index: Int) throws {
        let (text, expected) = Self.matching[index]
        #expect(try FieldSelector(parsing: text).matches(Self.service) == expected, "\(text)")
    }

    @Test("the first operator splits a term; `!=` and `==` win over `=`")
    func operators() throws {
        #expect(
            try FieldSelector(parsing: "a!=b").requirements == [.init(field: "a", operator: .notEquals, value: "b")])
        #expect(try FieldSelector(parsing: "a==b").requirements == [.init(field: "a", operator: .equals, value: "b")])
        #expect(
            try FieldSelector(parsing: "a=\\=b").requirements == [.init(field: "a", operator: .equals, value: "=b")])
    }

    @Test("escaped commas, equals signs and backslashes are part of the value")
    func escapes() throws {
        let selector = try FieldSelector(parsing: #"metadata.name=a\,b\=c\\d,spec.type=x"#)
        #expect(
            selector.requirements == [
                .init(field: "metadata.name", operator: .equals, value: #"a,b=c\d"#),
                .init(field: "spec.type", operator: .equals, value: "x"),
            ])
        #expect(selector.matches(["metadata": ["name": #"a,b=c\d"#], "spec": ["type": "x"]]))
    }

    @Test("terms are kept in sorted order, like apimachinery")
    func sortedTerms() throws {
        let selector = try FieldSelector(parsing: "spec.type=x,metadata.name=y")
        #expect(selector.requirements.map(\.field) == ["metadata.name", "spec.type"])
        #expect(selector.description == "metadata.name=y,spec.type=x")
        #expect(selector.requiredValue(for: "metadata.name") == "y")
        #expect(selector.requiredValue(for: "metadata.namespace") == nil)
    }

    static let malformed: [(String, String)] = [
        ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
        ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
        ("a=b=c", "invalid field selector: unescaped character in value: '='"),
        (#"a=b\x"#, #"invalid field selector: invalid escape sequence: \x"#),
        (#"a=b\"#, #"invalid field selector: invalid escape sequence: \"#),
    ]

    @Test("malformed selectors are rejected", arguments: malformed.indices)
    func malformedSelector(index: Int) {
        let (text, message) = Self.malformed[index]
        #expect(throws: SelectorError(message)) { try FieldSelector(parsing: text) }
    }

    @Test("a selector's text parses back to the same selector, whatever its values contain")
    func roundTrip() async {
        let alphabet: [Character] = ["a", ",", "=", "\\", "!", " ", "é"]
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SeededGenerator(seed: seed)
            let requirements = (0..<Int.random(in: 0...3, using: &random)).map { index in
                FieldSelector.Requirement(
                    field: "field\(index)", operator: Bool.random(using: &random) ? .equals : .notEquals,
                    value: String(
                        (0..<Int.random(in: 0...6, using: &random)).map { _ in
                            alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                        }))
            }
            let selector = FieldSelector(requirements: requirements)
            let reparsed = try FieldSelector(parsing: selector.description)
            #expect(reparsed == selector, "\(selector)")
        }
    }
}
