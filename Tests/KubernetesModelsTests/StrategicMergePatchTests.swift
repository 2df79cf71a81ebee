import KubernetesModels
import Testing

@Suite("Strategic merge patch: maps, directives and errors")
struct StrategicMergePatchTests {
    /// (live, patch, expected) for a Service.
    static let serviceCases: [(name: String, live: String, patch: String, result: String)] = [
        (
            "null deletes a key",
            #"{"spec":{"type":"LoadBalancer","loadBalancerIP":"198.51.100.1"}}"#,
            #"{"spec":{"loadBalancerIP":null}}"#,
            #"{"spec":{"type":"LoadBalancer"}}"#
        ),
        (
            "maps merge recursively",
            #"{"metadata":{"labels":{"a":"1"},"annotations":{"x":"y"}}}"#,
            #"{"metadata":{"labels":{"b":"2"}}}"#,
            #"{"metadata":{"labels":{"a":"1","b":"2"},"annotations":{"x":"y"}}}"#
        ),
        (
            "a list without a merge key replaces",
            #"{"spec":{"externalIPs":["198.51.100.1","198.51.100.2"]}}"#,
            #"{"spec":{"externalIPs":["198.51.100.3"]}}"#,
            #"{"spec":{"externalIPs":["198.51.100.3"]}}"#
        ),
        (
            "status.loadBalancer.ingress replaces (no merge key in Kubernetes either)",
            #"{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.1"}]}}}"#,
            #"{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.2"}]}}}"#,
            #"{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.2"}]}}}"#
        ),
        (
            "$patch: replace on a map replaces it",
            #"{"spec":{"selector":{"app":"web","tier":"front"}}}"#,
            #"{"spec":{"selector":{"$patch":"replace","app":"api"}}}"#,
            #"{"spec":{"selector":{"app":"api"}}}"#
        ),
        (
            "$patch: delete on a map removes it",
            #"{"spec":{"selector":{"app":"web"},"type":"ClusterIP"}}"#,
            #"{"spec":{"selector":{"$patch":"delete"}}}"#,
            #"{"spec":{"type":"ClusterIP"}}"#
        ),
        (
            "$patch: replace on a map that is not live yet creates it",
            #"{"spec":{}}"#,
            #"{"spec":{"selector":{"$patch":"replace","app":"api"}}}"#,
            #"{"spec":{"selector":{"app":"api"}}}"#
        ),
        (
            "a value of another type replaces the live value",
            #"{"spec":{"ports":[{"port":80}]}}"#,
            #"{"spec":{"ports":"none"}}"#,
            #"{"spec":{"ports":"none"}}"#
        ),
        (
            "nulls inside a value that is new are dropped",
            #"{}"#,
            #"{"metadata":{"labels":{"a":"1","b":null}}}"#,
            #"{"metadata":{"labels":{"a":"1"}}}"#
        ),
        (
            "directives inside a value that is new are resolved",
            #"{}"#,
            #"{"spec":{"$setElementOrder/ports":[{"port":2},{"port":1}],"ports":[{"port":2},{"port":1},{"$patch":"delete","port":3}]}}"#,
            #"{"spec":{"ports":[{"port":2},{"port":1}]}}"#
        ),
        (
            "status.conditions merge by type",
            #"{"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Other","status":"True"}]}}"#,
            #"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
            #"{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Other","status":"True"}]}}"#
        ),
        (
            "ownerReferences merge by uid",
            #"{"metadata":{"ownerReferences":[{"uid":"a","name":"x"}]}}"#,
            #"{"metadata":{"ownerReferences":[{"uid":"b","name":"y"}]}}"#,
            #"{"metadata":{"ownerReferences":[{"uid":"b","name":"y"},{"uid":"a","name":"x"}]}}"#
        ),
        (
            "a whole-object $patch: delete empties the object",
            #"{"spec":{"type":"ClusterIP"}}"#,
            #"{"$patch":"delete"}"#,
            #"{}"#
        ),
    ]

    @Test("Service patches", arguments: serviceCases.map(\.name))
    func service(name: String) throws {
        let testCase = try #require(Self.serviceCases.first { $0.name == name })
        let result = try StrategicMergePatch.apply(
            json(testCase.patch), to: json(testCase.live), schema: .forKind("Service"))
        #expect(result == (try json(testCase.result)), "got \(text(result))")
    }

    @Test("$retainKeys drops live keys it does not list (Deployment strategy to Recreate)")
    func retainKeys() throws {
        let live = try json(
            #"{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}},"replicas":2}}"#)
        let patch = try json(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#)
        let result = try StrategicMergePatch.apply(patch, to: live, schema: .forKind("Deployment"))
        #expect(result == (try json(#"{"spec":{"strategy":{"type":"Recreate"},"replicas":2}}"#)))
    }

    @Test("$retainKeys must list every key the patch sets")
    func retainKeysMismatch() throws {
        let patch = try json(#"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}"#)
        #expect(throws: PatchError.self) {
            try StrategicMergePatch.apply(patch, to: [:], schema: .forKind("Deployment"))
        }
    }

    @Test("$retainKeys must be a list of strings")
    func retainKeysShape() throws {
        let patch = try json(#"{"spec":{"$retainKeys":"type"}}"#)
        #expect(throws: PatchError("invalid patch format of retainKeys")) {
            try StrategicMergePatch.apply(patch, to: [:], schema: .forKind("Deployment"))
        }
    }

    @Test("an unknown $-directive is an error")
    func unknownDirective() throws {
        let patch = try json(#"{"metadata":{"$frobnicate":true}}"#)
        #expect(throws: PatchError("unknown strategic merge patch directive \"$frobnicate\"")) {
            try StrategicMergePatch.apply(patch, to: [:], schema: .forKind("Service"))
        }
    }

    @Test("an unknown $patch value in a map is an error")
    func unknownMapPatchType() throws {
        let patch = try json(#"{"metadata":{"labels":{"$patch":"merge"}}}"#)
        let error = try #require(throws: PatchError.self) {
            try StrategicMergePatch.apply(patch, to: [:], schema: .forKind("Service"))
        }
        #expect(error.description.hasPrefix("unknown patch type: merge in map:"))
    }

    @Test("$patch must be a string")
    func nonStringPatchType() throws {
        let patch = try json(#"{"spec":{"$patch":1}}"#)
        #expect(throws: PatchError.self) {
            try StrategicMergePatch.apply(patch, to: [:], schema: .forKind("Service"))
        }
    }

    @Test("a patch that is not an object is an error")
    func notAnObject() {
        #expect(throws: PatchError.self) {
            try StrategicMergePatch.apply(["a"], to: [:], schema: .forKind("Service"))
        }
    }

    @Test("a live document that is not an object is patched as if empty")
    func liveNotAnObject() throws {
        let result = try StrategicMergePatch.apply(["a": 1], to: "text", schema: .replaceLists)
        #expect(result == ["a": 1])
    }
}
