import KubernetesModels
import Testing

@Suite("Label selectors")
struct LabelSelectorTests {
    static let labels: [String: String] = ["app": "web", "tier": "front", "replicas": "3", "empty": ""]

    /// (selector, matches `labels`)
    static let matching: [(String, Bool)] = [
        ("", true),
        ("app=web", true),
        ("app==web", true),
        ("app=api", false),
        ("app!=api", true),
        ("app!=web", false),
        ("missing!=x", true),
        ("app in (web,api)", true),
        ("app in (api)", false),
        ("missing in (x)", false),
        ("app notin (api,db)", true),
        ("app notin (web)", false),
        ("missing notin (x)", true),
        ("app", true),
        ("missing", false),
        ("!missing", true),
        ("!app", false),
        ("replicas>2", true),
        ("replicas<3", false),
        ("app>1", false),
        ("missing>1", false),
        ("empty=", true),
        ("empty in ()", true),
        ("app=web,tier=front", true),
        ("app=web,tier=back", false),
        ("  app = web ,  tier in ( front , back )  ", true),
        ("example.com/role", false),
    ]

    @Test("matching follows apimachinery's semantics", arguments: matching.indices)
    func matches(index: Int) throws {
        let (text, expected) = Self.matching[index]
        #expect(try LabelSelector(parsing: text).matches(Self.labels) == expected, "\(text)")
    }

    @Test("requirements are sorted by key and keep their operator and values")
    func parsedShape() throws {
        let selector = try LabelSelector(parsing: "tier notin (b,a,b),app==web,!gone,exists")
        #expect(
            selector.requirements == [
                try .init(key: "app", operator: .equals, values: ["web"]),
                try .init(key: "exists", operator: .exists),
                try .init(key: "gone", operator: .doesNotExist),
                try .init(key: "tier", operator: .notIn, values: ["a", "b"]),
            ])
        #expect(selector.description == "app=web,exists,!gone,tier notin (a,b)")
    }

    @Test("empty entries in a set are the empty value, as in apimachinery")
    func emptySetEntries() throws {
        #expect(try LabelSelector(parsing: "a in (,x)").requirements.first?.values == ["", "x"])
        #expect(try LabelSelector(parsing: "a in (x,)").requirements.first?.values == ["", "x"])
        #expect(try LabelSelector(parsing: "a in ()").requirements.first?.values == [""])
    }

    @Test("`in` and `notin` are keys where a key is expected")
    func keywordsAsKeys() throws {
        #expect(try LabelSelector(parsing: "in in (notin)").matches(["in": "notin"]))
        #expect(try LabelSelector(parsing: "notin").matches(["notin": ""]))
    }

    @Test("prefixed keys are accepted")
    func prefixedKeys() throws {
        #expect(try LabelSelector(parsing: "kube-vip.io/ignore=true").matches(["kube-vip.io/ignore": "true"]))
    }

    /// (selector, start of the error message)
    static let malformed: [(String, String)] = [
        ("app=web,", "found 'end of string', expected: identifier after ','"),
        (",app", "found ',', expected: !, identifier, or 'end of string'"),
        ("app web", "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"),
        ("app in web", "unable to parse requirement: found 'web' expected: '('"),
        ("app in (web", "unable to parse requirement: found 'end of string', expected: ',' or ')'"),
        ("app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("app=(x)", "unable to parse requirement: found '(', expected: identifier"),
        ("app=>x", "unable to parse requirement: found '>', expected: identifier"),
        ("!", "unable to parse requirement: found 'end of string', expected: identifier"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        ("a=!", "unable to parse requirement: found '!', expected: identifier"),
        ("a (b)", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"),
        ("a===b", "unable to parse requirement: found '=', expected: identifier"),
        ("-app=x", "unable to parse requirement: Invalid value: \"-app\": name part must consist of"),
        ("a/b/c", "unable to parse requirement: Invalid value: \"a/b/c\": a valid label key must consist of"),
        (
            "Example.com/a",
            "unable to parse requirement: Invalid value: \"Example.com/a\": prefix part a lowercase RFC 1123"
        ),
        ("/a", "unable to parse requirement: Invalid value: \"/a\": prefix part must be non-empty"),
        ("app=web!", "found '!', expected: ',' or 'end of string'"),
        ("app=-web", "unable to parse requirement: values[0][app]: Invalid value: \"-web\": a valid label must be"),
        (
            "replicas>x",
            "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"
        ),
        (String(repeating: "a", count: 64), "unable to parse requirement: Invalid value: \"aaaa"),
    ]

    @Test("malformed selectors are rejected with a message saying what was expected", arguments: malformed.indices)
    func malformedSelector(index: Int) {
        let (text, message) = Self.malformed[index]
        do {
            let selector = try LabelSelector(parsing: text)
            Issue.record("\(text) parsed as \(selector)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(text): \(error.description)")
        }
    }

    @Test("everything matches any labels and prints as the empty selector")
    func everything() {
        #expect(LabelSelector.everything.matches([:]))
        #expect(LabelSelector.everything.isEverything)
        #expect(LabelSelector.everything.description == "")
    }
}

@Suite("Label selectors from objects")
struct LabelSelectorObjectTests {
    @Test("a Service selector map requires every label")
    func matchLabels() throws {
        let selector = try LabelSelector(matchLabels: ["app": "web", "tier": "front"])
        #expect(selector.matches(["app": "web", "tier": "front", "extra": "x"]))
        #expect(!selector.matches(["app": "web"]))
        #expect(try LabelSelector(matchLabels: [:]) == .everything)
    }

    @Test("a metav1.LabelSelector combines matchLabels and matchExpressions")
    func metav1Selector() throws {
        let selector = try LabelSelector(
            labelSelector: [
                "matchLabels": ["app": "web"],
                "matchExpressions": [
                    ["key": "tier", "operator": "In", "values": ["front", "edge"]],
                    ["key": "canary", "operator": "DoesNotExist"],
                ],
            ])
        #expect(selector.description == "app=web,!canary,tier in (edge,front)")
        #expect(selector.matches(["app": "web", "tier": "edge"]))
        #expect(!selector.matches(["app": "web", "tier": "edge", "canary": "1"]))
    }

    @Test("an unknown operator or an In without values is rejected")
    func invalidExpressions() {
        #expect(throws: SelectorError("\"Gt\" is not a valid label selector operator")) {
            try LabelSelector(labelSelector: ["matchExpressions": [["key": "a", "operator": "Gt", "values": ["1"]]]])
        }
        #expect(throws: SelectorError.self) {
            try LabelSelector(labelSelector: ["matchExpressions": [["key": "a", "operator": "In"]]])
        }
    }
}
