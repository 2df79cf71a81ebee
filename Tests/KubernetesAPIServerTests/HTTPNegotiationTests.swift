import KubernetesModels
import Testing

@testable import KubernetesAPIServer

@Suite("Query strings and media types")
struct HTTPNegotiationTests {
    @Test("query booleans parse case-insensitively like Go's ParseBool")
    func booleans() {
        let query = QueryParameters("watch=True&a=1&b=TRUE&c=false&d=yes")
        #expect(query.bool("watch"))
        #expect(query.bool("a"))
        #expect(query.bool("b"))
        #expect(!query.bool("c"))
        #expect(!query.bool("d"))
        #expect(!query.bool("missing"))
    }

    @Test("query values are percent- and plus-decoded")
    func decoding() {
        let query = QueryParameters("labelSelector=app%20in%20(a%2Cb)&fieldSelector=metadata.name%3Dweb&x=a+b")
        #expect(query["labelSelector"] == "app in (a,b)")
        #expect(query["fieldSelector"] == "metadata.name=web")
        #expect(query["x"] == "a b")
        #expect(query.integer("x") == nil)
        #expect(QueryParameters("limit=500").integer("limit") == 500)
    }

    @Test("kubectl's Table accept header selects a Table")
    func tableAccept() throws {
        let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
        #expect(try ResponseForm.negotiate(accept: accept) == .table)
    }

    @Test("protobuf and discovery-document entries fall through to plain JSON")
    func fallThrough() throws {
        #expect(try ResponseForm.negotiate(accept: "application/vnd.kubernetes.protobuf,application/json") == .object)
        #expect(
            try ResponseForm.negotiate(
                accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
                == .object)
        #expect(try ResponseForm.negotiate(accept: nil) == .object)
        #expect(try ResponseForm.negotiate(accept: "*/*") == .object)
    }

    @Test("an Accept header with nothing JSON-compatible is 406")
    func notAcceptable() {
        #expect(throws: Status.self) { try ResponseForm.negotiate(accept: "text/html") }
    }

    @Test("object bodies may be JSON, YAML or protobuf; anything else is 415")
    func objectBodies() throws {
        #expect(try ObjectBodyFormat.from(contentType: "application/json; charset=utf-8") == .json)
        #expect(try ObjectBodyFormat.from(contentType: nil) == .json)
        #expect(try ObjectBodyFormat.from(contentType: "application/yaml") == .yaml)
        #expect(try ObjectBodyFormat.from(contentType: "application/vnd.kubernetes.protobuf") == .protobuf)
        let error = #expect(throws: Status.self) { try ObjectBodyFormat.from(contentType: "text/plain") }
        #expect(error?.code == 415)
    }

    @Test("the four patch media types are recognised; plain JSON is 415")
    func patchBodies() throws {
        #expect(try PatchFormat.from(contentType: "application/json-patch+json") == .jsonPatch)
        #expect(try PatchFormat.from(contentType: "application/merge-patch+json") == .mergePatch)
        #expect(try PatchFormat.from(contentType: "application/strategic-merge-patch+json") == .strategicMergePatch)
        #expect(try PatchFormat.from(contentType: "application/apply-patch+yaml") == .apply)
        let error = #expect(throws: Status.self) { try PatchFormat.from(contentType: "application/json") }
        #expect(error?.code == 415)
    }
}
