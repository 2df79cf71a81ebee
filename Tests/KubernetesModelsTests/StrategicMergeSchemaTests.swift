import KubernetesModels
import Testing

@Suite("Strategic merge schemas of the built-in kinds")
struct StrategicMergeSchemaTests {
    static func strategy(_ kind: String, _ path: String...) -> StrategicMergeSchema.ListStrategy {
        path.reduce(StrategicMergeSchema.forKind(kind)) { $0.field($1) }.listStrategy
    }

    @Test("Service ports merge by port")
    func servicePorts() {
        #expect(Self.strategy("Service", "spec", "ports") == .mergeByKey("port"))
        #expect(Self.strategy("Service", "spec", "externalIPs") == .replace)
    }

    @Test("Deployment pod template lists merge by their Kubernetes keys")
    func deploymentTemplate() {
        #expect(Self.strategy("Deployment", "spec", "template", "spec", "containers") == .mergeByKey("name"))
        #expect(Self.strategy("Deployment", "spec", "template", "spec", "volumes") == .mergeByKey("name"))
        #expect(
            Self.strategy("Deployment", "spec", "template", "spec", "containers", "ports")
                == .mergeByKey("containerPort"))
        #expect(Self.strategy("Deployment", "spec", "template", "spec", "containers", "env") == .mergeByKey("name"))
        #expect(Self.strategy("Deployment", "spec", "template", "metadata", "finalizers") == .mergeAsSet)
    }

    @Test("every kind merges finalizers as a set, owner references by uid, conditions by type")
    func metadata() {
        for kind in ["Service", "Deployment", "Namespace", "ConfigMap", "Lease", "EndpointSlice", "Widget"] {
            #expect(Self.strategy(kind, "metadata", "finalizers") == .mergeAsSet)
            #expect(Self.strategy(kind, "metadata", "ownerReferences") == .mergeByKey("uid"))
        }
        #expect(Self.strategy("Service", "status", "conditions") == .mergeByKey("type"))
        #expect(Self.strategy("Deployment", "status", "conditions") == .mergeByKey("type"))
    }

    @Test("EndpointSlice endpoints, Lease and unknown kinds replace lists")
    func replacing() {
        #expect(Self.strategy("EndpointSlice", "endpoints") == .replace)
        #expect(Self.strategy("Lease", "spec", "holderIdentity") == .replace)
        #expect(Self.strategy("Widget", "spec", "items") == .replace)
        #expect(Self.strategy("Widget", "status", "conditions") == .replace)
    }

    @Test("a kubectl-style container patch merges into the live container by name")
    func containerPatch() throws {
        let live = try json(
            #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"a:1","env":[{"name":"A","value":"1"}]}]}}}}"#
        )
        let patch = try json(
            #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"a:2","env":[{"name":"B","value":"2"}]}]}}}}"#
        )
        let result = try StrategicMergePatch.apply(patch, to: live, schema: .forKind("Deployment"))
        #expect(
            result[path: "spec", "template", "spec", "containers"] == [
                ["name": "app", "image": "a:2", "env": [["name": "B", "value": "2"], ["name": "A", "value": "1"]]]
            ])
    }
}
