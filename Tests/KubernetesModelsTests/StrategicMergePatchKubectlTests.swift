import KubernetesModels
import Testing

/// The patches `kubectl apply` really sends, applied to the live object it computed them against.
@Suite("Strategic merge patch: bodies from kubectl apply")
struct StrategicMergePatchKubectlTests {
    static func applyToLive(_ patch: String) throws -> JSONValue {
        try StrategicMergePatch.apply(
            json(patch), to: json(KubectlApplyPatches.liveService), schema: .forKind("Service"))
    }

    @Test("changing the port deletes port 80 by merge key and adds 8081, keeping server-set fields")
    func changePort() throws {
        let result = try Self.applyToLive(KubectlApplyPatches.changePort)
        #expect(
            result[path: "spec", "ports"] == [["name": "http", "port": 8081, "protocol": "TCP", "targetPort": 8080]])
        #expect(result[path: "spec", "clusterIP"] == "10.96.0.4")
        #expect(result[path: "spec", "selector"] == ["app": "web"])
        #expect(result[path: "metadata", "uid"] == "u1")
        let applied = try #require(result.metadataAnnotations["kubectl.kubernetes.io/last-applied-configuration"])
        #expect(
            try json(applied)[path: "spec", "ports"] == [
                ["name": "http", "port": 8081, "protocol": "TCP", "targetPort": 8080]
            ])
    }

    @Test("adding a port in front keeps the live port's node port and follows $setElementOrder")
    func addPort() throws {
        let result = try Self.applyToLive(KubectlApplyPatches.addPortLabelAndPolicy)
        #expect(
            result[path: "spec", "ports"] == [
                ["name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443],
                ["name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080, "nodePort": 30002],
            ])
        #expect(result[path: "spec", "externalTrafficPolicy"] == "Local")
        #expect(result.metadataLabels == ["tier": "front"])
        #expect(result[path: "status", "loadBalancer"] == [:])
    }

    @Test("no directive survives into the stored object")
    func noDirectivesLeft() throws {
        for patch in [KubectlApplyPatches.changePort, KubectlApplyPatches.addPortLabelAndPolicy] {
            let stored = text(try Self.applyToLive(patch))
            #expect(!stored.contains("$setElementOrder"))
            #expect(!stored.contains("$patch"))
        }
    }
}
