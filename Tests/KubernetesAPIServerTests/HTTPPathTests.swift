import Testing

@testable import KubernetesAPIServer

@Suite("API paths")
struct HTTPPathTests {
    @Test("discovery and health paths are recognised")
    func discoveryPaths() {
        #expect(APIPath("/version") == .version)
        #expect(APIPath("/healthz") == .health)
        #expect(APIPath("/readyz/ping") == .health)
        #expect(APIPath("/api") == .coreGroupVersions)
        #expect(APIPath("/api/v1") == .resourceList(group: "", version: "v1"))
        #expect(APIPath("/apis") == .groupList)
        #expect(APIPath("/apis/apps") == .group("apps"))
        #expect(APIPath("/apis/apps/v1/") == .resourceList(group: "apps", version: "v1"))
        #expect(APIPath("/openapi/v3") == .openAPIv3Root)
        #expect(APIPath("/openapi/v3/api/v1") == .openAPIv3GroupVersion(group: "", version: "v1"))
        #expect(APIPath("/openapi/v3/apis/coordination.k8s.io/v1") == .openAPIv3GroupVersion(group: "coordination.k8s.io", version: "v1"))
        #expect(APIPath("/openapi/v2") == .openAPIv2)
        #expect(APIPath("/metrics") == .unknown)
        #expect(APIPath("/") == .unknown)
    }

    @Test("a namespaced object path names namespace, resource, object and subresource")
    func namespacedObject() {
        #expect(
            APIPath("/api/v1/namespaces/kube-system/services/web/status")
                == .resource(
                    ResourcePath(
                        group: "", version: "v1", namespace: "kube-system", resource: "services", name: "web",
                        subresource: "status")))
        #expect(
            APIPath("/apis/coordination.k8s.io/v1/namespaces/default/leases")
                == .resource(
                    ResourcePath(group: "coordination.k8s.io", version: "v1", namespace: "default", resource: "leases")))
    }

    @Test("a path without namespaces/ is a cluster-wide list or a cluster-scoped object")
    func clusterWide() {
        #expect(APIPath("/api/v1/services") == .resource(ResourcePath(group: "", version: "v1", resource: "services")))
        #expect(
            APIPath("/api/v1/namespaces/plunder")
                == .resource(ResourcePath(group: "", version: "v1", resource: "namespaces", name: "plunder")))
        #expect(
            APIPath("/api/v1/namespaces/plunder/status")
                == .resource(
                    ResourcePath(group: "", version: "v1", resource: "namespaces", name: "plunder", subresource: "status")))
    }

    @Test("the legacy /watch/ prefix is remembered")
    func watchPrefix() {
        #expect(
            APIPath("/api/v1/watch/namespaces/default/services")
                == .resource(
                    ResourcePath(
                        group: "", version: "v1", namespace: "default", resource: "services", isWatchPrefix: true)))
    }

    @Test("percent-encoded segments are decoded and over-long paths are unknown")
    func decodingAndLimits() {
        #expect(
            APIPath("/api/v1/namespaces/default/configmaps/a%2Eb")
                == .resource(
                    ResourcePath(group: "", version: "v1", namespace: "default", resource: "configmaps", name: "a.b")))
        #expect(APIPath("/api/v1/namespaces/default/services/web/status/extra") == .unknown)
        #expect(APIPath("/api/v1/services/web/status/extra") == .unknown)
    }
}
