import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("RFC 6902 JSON Patch")
struct HTTPJSONPatchTests {
    let document: JSONValue = ["metadata": ["name": "web", "labels": ["a": "1"]], "spec": ["ports": [["port": 80]]]]

    func apply(_ patch: JSONValue) throws -> JSONValue {
        try JSONPatch(document: patch).apply(to: document)
    }

    @Test("add, replace and remove edit object members")
    func objectMembers() throws {
        let result = try apply([
            ["op": "add", "path": "/metadata/labels/b", "value": "2"],
            ["op": "replace", "path": "/metadata/labels/a", "value": "3"],
            ["op": "remove", "path": "/spec"],
        ])
        #expect(result == ["metadata": ["name": "web", "labels": ["a": "3", "b": "2"]]])
    }

    @Test("add inserts into arrays by index and appends with -")
    func arrays() throws {
        let result = try apply([
            ["op": "add", "path": "/spec/ports/-", "value": ["port": 443]],
            ["op": "add", "path": "/spec/ports/0", "value": ["port": 22]],
        ])
        #expect(result[path: "spec", "ports"] == [["port": 22], ["port": 80], ["port": 443]])
    }

    @Test("move and copy take the value from another path; ~1 escapes a slash")
    func moveCopy() throws {
        let result = try apply([
            ["op": "copy", "from": "/metadata/name", "path": "/metadata/labels/app.kubernetes.io~1name"],
            ["op": "move", "from": "/metadata/labels/a", "path": "/metadata/annotations"],
        ])
        #expect(result[path: "metadata", "labels"] == ["app.kubernetes.io/name": "web"])
        #expect(result[path: "metadata", "annotations"] == "1")
    }

    @Test("a failed test or a missing path is 422; a malformed patch is 400")
    func failures() {
        let failedTest = #expect(throws: Status.self) {
            try apply([["op": "test", "path": "/metadata/name", "value": "other"]])
        }
        #expect(failedTest?.code == 422)
        let missing = #expect(throws: Status.self) { try apply([["op": "remove", "path": "/nope"]]) }
        #expect(missing?.code == 422)
        let malformed = #expect(throws: Status.self) { try apply(["op": "add"]) }
        #expect(malformed?.code == 400)
        let unknownOp = #expect(throws: Status.self) { try apply([["op": "frobnicate", "path": "/a"]]) }
        #expect(unknownOp?.code == 400)
    }
}
