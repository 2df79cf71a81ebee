import AsyncHTTPClient
import Foundation
import KubernetesAPIServer
import KubernetesModels
import NIOCore
import Testing

@Suite("Request authorization: what RBAC sees of each request, and 403 Forbidden", .timeLimit(.minutes(1)))
struct RequestAuthorizationTests {
    static let user = "kube-vip-swift/test"
    static let services = "/api/v1/namespaces/default/services"
    static let leases = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases"

    /// Runs a server whose authorizer records every request and answers with `decide`.
    func withRecordingServer(
        _ decide: @escaping @Sendable (RequestAttributes) -> Bool,
        _ body: @Sendable (HTTPTestServer, RequestLog) async throws -> Void
    ) async throws {
        let log = RequestLog()
        try await HTTPTestServer.withServer(configure: { $0.authorizer = log.recording(decide) }) { server in
            try await body(server, log)
        }
    }

    @Test("a denied request is kube-apiserver's 403 Forbidden Status naming user, verb, resource and namespace")
    func deniedRequestIsForbidden() async throws {
        try await withRecordingServer({ $0.verb != "patch" }) { server, _ in
            _ = try await server.send("POST", Self.services, json: .loadBalancer("x"))
            let reply = try await server.send(
                "PATCH", Self.services + "/x/status", body: #"{"status":{}}"#,
                contentType: "application/merge-patch+json")
            #expect(reply.status == 403)
            let status = try #require(reply.failure)
            #expect(status.reason == "Forbidden")
            #expect(status.code == 403)
            #expect(
                status.message
                    == #"services "x" is forbidden: User "kube-vip-swift/test" cannot patch resource "services/status" in API group "" in the namespace "default""#
            )
            #expect(status.details?.name == "x")
            #expect(status.details?.kind == "services")
        }
    }

    @Test("a denied request across all namespaces says 'at the cluster scope' and names the group")
    func deniedClusterWideListSaysClusterScope() async throws {
        try await withRecordingServer({ _ in false }) { server, _ in
            let reply = try await server.send("GET", "/apis/coordination.k8s.io/v1/leases")
            #expect(reply.status == 403)
            #expect(
                reply.failure?.message
                    == #"leases.coordination.k8s.io is forbidden: User "kube-vip-swift/test" cannot list resource "leases" in API group "coordination.k8s.io" at the cluster scope"#
            )
        }
    }

    @Test("a denied write changes nothing")
    func deniedWriteChangesNothing() async throws {
        try await withRecordingServer({ $0.verb != "create" }) { server, _ in
            let reply = try await server.send("POST", Self.services, json: .loadBalancer("x"))
            #expect(reply.status == 403)
            let read = try await server.send("GET", Self.services + "/x")
            #expect(read.status == 404)
        }
    }

    @Test("each HTTP request maps to RBAC's verb: get, list, watch, create, update, patch, delete, deletecollection")
    func verbsAsRBACNamesThem() async throws {
        try await withRecordingServer({ _ in false }) { server, log in
            let requests: [(String, String)] = [
                ("GET", Self.services + "/web"), ("GET", Self.services), ("GET", Self.services + "?watch=true"),
                ("GET", "/api/v1/watch/namespaces/default/services"), ("POST", Self.services),
                ("PUT", Self.services + "/web"), ("PATCH", Self.services + "/web"), ("DELETE", Self.services + "/web"),
                ("DELETE", Self.services), ("HEAD", Self.services + "/web"),
            ]
            for (method, path) in requests {
                let body = method == "GET" || method == "HEAD" || method == "DELETE" ? nil : "{}"
                let reply = try await server.send(method, path, body: body, contentType: "application/merge-patch+json")
                #expect(reply.status == 403, "\(method) \(path)")
            }
            #expect(
                log.entries.map(\.attributes.verb) == [
                    "get", "list", "watch", "watch", "create", "update", "patch", "delete", "deletecollection", "get",
                ])
        }
    }

    @Test("the attributes carry the user agent, API group, resource, subresource, namespace and name")
    func attributesOfANamespacedSubresource() async throws {
        try await withRecordingServer({ _ in true }) { server, log in
            _ = try await server.send(
                "PATCH", "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/web-abc/status", body: "{}",
                contentType: "application/merge-patch+json")
            let attributes = try #require(log.entries.first?.attributes)
            #expect(attributes.user == Self.user)
            #expect(attributes.verb == "patch")
            #expect(attributes.isResourceRequest)
            #expect(attributes.apiGroup == "discovery.k8s.io")
            #expect(attributes.resource == "endpointslices")
            #expect(attributes.subresource == "status")
            #expect(attributes.rbacResource == "endpointslices/status")
            #expect(attributes.namespace == "shop")
            #expect(attributes.name == "web-abc")
        }
    }

    @Test("a list narrowed by fieldSelector=metadata.name names that object, as kube-apiserver does")
    func fieldSelectorNamesTheObject() async throws {
        let log = RequestLog()
        try await HTTPTestServer.withServer(configure: { $0.authorizer = log.recordingOnly() }) { server in
            let reply = try await server.send("GET", Self.leases + "?fieldSelector=metadata.name%3Dplndr-svcs-lock")
            #expect(reply.status == 200)
            let attributes = try #require(log.entries.first?.attributes)
            #expect(attributes.verb == "list")
            #expect(attributes.name == "plndr-svcs-lock")
            #expect(attributes.namespace == "kube-system")
        }
    }

    @Test("discovery, /version and /openapi are served to a user denied everything, and recorded as non-resource")
    func nonResourcePathsAreNotSubjectToIt() async throws {
        try await withRecordingServer({ _ in false }) { server, log in
            for path in ["/api", "/apis", "/api/v1", "/apis/coordination.k8s.io/v1", "/version", "/openapi/v3"] {
                let reply = try await server.send("GET", path)
                #expect(reply.status == 200, "\(path)")
            }
            #expect(log.entries.allSatisfy { !$0.attributes.isResourceRequest })
            #expect(log.entries.map(\.attributes.path).contains("/version"))
            #expect(log.entries.map(\.attributes.verb).allSatisfy { $0 == "get" })
        }
    }

    @Test("without an authorizer every request is served")
    func noAuthorizerAllowsEverything() async throws {
        try await HTTPTestServer.withServer { server in
            let reply = try await server.send("POST", Self.services, json: .loadBalancer("x"))
            #expect(reply.status == 201)
        }
    }

    @Test("an RBACPolicy lets its user through and forbids everyone else")
    func policyDecidesPerUser() async throws {
        let policy = RBACPolicy([
            Self.user: [RBACPolicy.Rule(namespace: nil, apiGroups: [""], resources: ["services"], verbs: ["create"])]
        ])
        let log = RequestLog()
        try await HTTPTestServer.withServer(configure: { $0.authorizer = log.recording(policy.authorizes) }) { server in
            let own = try await server.send("POST", Self.services, json: .loadBalancer("a"))
            #expect(own.status == 201)
            let other = try await server.send("POST", Self.services, json: .loadBalancer("b"), userAgent: "someone")
            #expect(other.status == 403)
            #expect(other.failure?.message.contains(#"User "someone" cannot create"#) == true)
        }
        #expect(log.denied.map(\.user) == ["someone"])
    }
}

@Suite("RBAC policy evaluation")
struct RBACPolicyTests {
    static let user = "role"

    func request(
        _ verb: String, _ resource: String, subresource: String? = nil, group: String = "", namespace: String?,
        user: String = user
    ) -> RequestAttributes {
        RequestAttributes(
            user: user, verb: verb, apiGroup: group, resource: resource, subresource: subresource, namespace: namespace)
    }

    @Test("a namespaced rule covers its namespace only, never another one or the whole cluster")
    func namespacedRuleStaysInItsNamespace() {
        let policy = RBACPolicy([
            Self.user: [RBACPolicy.Rule(namespace: "kube-system", apiGroups: [""], resources: ["configmaps"], verbs: ["list"])]
        ])
        #expect(policy.authorizes(request("list", "configmaps", namespace: "kube-system")))
        #expect(!policy.authorizes(request("list", "configmaps", namespace: "default")))
        #expect(!policy.authorizes(request("list", "configmaps", namespace: nil)))
    }

    @Test("a cluster rule covers every namespace and the cluster scope")
    func clusterRuleCoversEverywhere() {
        let policy = RBACPolicy([
            Self.user: [RBACPolicy.Rule(namespace: nil, apiGroups: [""], resources: ["services"], verbs: ["watch"])]
        ])
        #expect(policy.authorizes(request("watch", "services", namespace: nil)))
        #expect(policy.authorizes(request("watch", "services", namespace: "anywhere")))
    }

    @Test("a subresource needs its own rule: services does not grant services/status")
    func subresourceNeedsItsOwnRule() {
        let policy = RBACPolicy([
            Self.user: [RBACPolicy.Rule(namespace: nil, apiGroups: [""], resources: ["services"], verbs: ["patch"])]
        ])
        #expect(policy.authorizes(request("patch", "services", namespace: "default")))
        #expect(!policy.authorizes(request("patch", "services", subresource: "status", namespace: "default")))
    }

    @Test("verb, group and resource must all match; * matches anything")
    func matchingAndWildcards() {
        let exact = RBACPolicy([
            Self.user: [
                RBACPolicy.Rule(namespace: nil, apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get"])
            ]
        ])
        #expect(exact.authorizes(request("get", "leases", group: "coordination.k8s.io", namespace: "a")))
        #expect(!exact.authorizes(request("update", "leases", group: "coordination.k8s.io", namespace: "a")))
        #expect(!exact.authorizes(request("get", "leases", group: "", namespace: "a")))
        #expect(!exact.authorizes(request("get", "leases", group: "coordination.k8s.io", namespace: "a", user: "x")))
        let wildcard = RBACPolicy([
            Self.user: [RBACPolicy.Rule(namespace: nil, apiGroups: ["*"], resources: ["*"], verbs: ["*"])]
        ])
        #expect(wildcard.authorizes(request("delete", "services", subresource: "status", namespace: "a")))
    }

    @Test("unused permissions are each (verb, resource, scope) no recorded request needed")
    func unusedPermissions() {
        let policy = RBACPolicy([
            Self.user: [
                RBACPolicy.Rule(namespace: nil, apiGroups: [""], resources: ["services"], verbs: ["list", "patch"]),
                RBACPolicy.Rule(namespace: "kube-system", apiGroups: [""], resources: ["configmaps"], verbs: ["watch"]),
            ]
        ])
        let unused = policy.unusedPermissions(by: [
            request("list", "services", namespace: nil), request("watch", "configmaps", namespace: "default"),
        ])
        #expect(
            unused == [
                RBACPolicy.Permission(user: Self.user, verb: "patch", apiGroup: "", resource: "services", namespace: nil),
                RBACPolicy.Permission(
                    user: Self.user, verb: "watch", apiGroup: "", resource: "configmaps", namespace: "kube-system"),
            ])
    }
}

extension HTTPTestServer {
    /// A request with a `User-Agent`, which the authorizer sees as the user.
    func send(
        _ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
        userAgent: String = RequestAuthorizationTests.user
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "User-Agent", value: userAgent)
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
            request.headers.add(name: "Content-Type", value: contentType)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Reply(
            status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
            text: String(buffer: bytes))
    }

    func send(_ method: String, _ path: String, json: JSONValue, userAgent: String = RequestAuthorizationTests.user)
        async throws -> Reply
    {
        try await send(method, path, body: String(decoding: json.serialized(), as: UTF8.self), userAgent: userAgent)
    }
}
