import Manifests
import Testing
import Yams

@Suite("YAML emitter")
struct YAMLEmitterTests {
    @Test(
        "strings a YAML reader would take for another type are quoted and read back as strings",
        arguments: ["true", "No", "on", "null", "~", "", "15", "1e3", "0x1F", "10:30", ".5", "-1", ":2112", "-", "a: b", "x #y", " padded", "*alias", "line\nbreak"]
    )
    func ambiguousStringsRoundTrip(text: String) throws {
        let yaml = YAMLNode.fields(["value": .string(text)]).yaml
        let parsed = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        #expect(parsed["value"] as? String == text, "emitted as \(yaml)")
    }

    @Test(
        "ordinary strings are written plain",
        arguments: ["kube-vip", "node-role.kubernetes.io/control-plane", "--leader-elect-resource-name=x", "kube-vip:0.1.0", "system:kube-vip-role"]
    )
    func plainStrings(text: String) {
        #expect(YAMLNode.fields(["value": .string(text)]).yaml == "value: \(text)\n")
    }

    @Test("mappings keep the order they were written in")
    func keyOrder() {
        let node = YAMLNode.fields(["kind": "Pod", "apiVersion": "v1", "metadata": .fields(["name": "x"])])
        #expect(node.yaml == "kind: Pod\napiVersion: v1\nmetadata:\n  name: x\n")
    }

    @Test("nil members are left out")
    func nilMembers() {
        let absent: YAMLNode? = nil
        #expect(YAMLNode.fields(["a": 1, "b": absent, "c": true]).yaml == "a: 1\nc: true\n")
    }

    @Test("a sequence of mappings is indented under its key with the first member on the dash line")
    func sequenceOfMappings() {
        let node = YAMLNode.fields([
            "env": [.fields(["name": "a", "value": "1"]), .fields(["name": "b", "valueFrom": .fields(["x": "z"])])]
        ])
        #expect(
            node.yaml == """
                env:
                  - name: a
                    value: "1"
                  - name: b
                    valueFrom:
                      x: z

                """)
    }

    @Test("empty mappings and sequences are written inline")
    func emptyCollections() {
        #expect(YAMLNode.fields(["a": .mapping([]), "b": .sequence([])]).yaml == "a: {}\nb: []\n")
    }

    @Test("a document's header is comments and its objects are separated by ---")
    func document() {
        let document = ManifestDocument(header: ["one", "two"], objects: [.fields(["a": 1]), .fields(["b": 2])])
        #expect(document.yaml == "# one\n# two\na: 1\n---\nb: 2\n")
    }
}
