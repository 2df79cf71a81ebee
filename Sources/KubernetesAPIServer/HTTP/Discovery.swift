import KubernetesModels

/// The discovery documents kubectl reads before anything else, all generated from `ResourceRegistry` so a
/// kind that the store serves can never be missing from discovery (or the reverse).
///
/// Only the legacy (unaggregated) form is served: kubectl asks for the aggregated one first and falls back to
/// legacy when the answer is plain `application/json`.
enum Discovery {
    /// The Kubernetes release the server claims. kubectl's dispatcher on this machine runs the kubectl whose
    /// minor version matches; 1.32 runs the built-in one.
    static let major = "1"
    static let minor = "32"
    static let gitVersion = "v1.32.0"

    static func version() -> JSONValue {
        [
            "major": .string(major), "minor": .string(minor), "gitVersion": .string(gitVersion),
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": "2025-01-01T00:00:00Z", "goVersion": "n/a (kube-vip embedded API server, Swift)",
            "compiler": "swiftc", "platform": .string(platform),
        ]
    }

    /// `/api`.
    static func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// `/apis`.
    static func groupList(_ types: [ResourceType]) -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(namedGroups(types).map(groupDocument))]
    }

    /// `/apis/{group}`; `nil` for a group the server does not serve.
    static func group(_ name: String, in types: [ResourceType]) -> JSONValue? {
        guard let group = namedGroups(types).first(where: { $0.name == name }) else { return nil }
        var document = groupDocument(group)
        document["kind"] = "APIGroup"
        document["apiVersion"] = "v1"
        return document
    }

    /// `/api/v1` or `/apis/{group}/{version}`; `nil` when no kind lives there.
    static func resourceList(group: String, version: String, in types: [ResourceType]) -> JSONValue? {
        let members = types.filter { $0.group == group && $0.version == version }
        guard let first = members.first else { return nil }
        var resources: [JSONValue] = []
        for type in members {
            var entry: JSONValue = [
                "name": .string(type.resource), "singularName": .string(type.singular),
                "namespaced": .bool(type.namespaced), "kind": .string(type.kind),
                "verbs": .array(type.verbs.map(JSONValue.string)),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
            if let categories = categories[type.resource], type.group != "events.k8s.io" {
                entry["categories"] = .array(categories.map(JSONValue.string))
            }
            resources.append(entry)
            for subresource in type.subresources {
                resources.append([
                    "name": .string("\(type.resource)/\(subresource)"), "singularName": "",
                    "namespaced": .bool(type.namespaced), "kind": .string(type.kind),
                    "verbs": ["get", "patch", "update"],
                ])
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(first.apiVersion),
            "resources": .array(resources),
        ]
    }

    /// `kubectl get all` lists the kinds in category `all`.
    private static let categories: [String: [String]] = ["services": ["all"], "deployments": ["all"]]

    private struct NamedGroup {
        var name: String
        var versions: [String]
    }

    private static func namedGroups(_ types: [ResourceType]) -> [NamedGroup] {
        var groups: [NamedGroup] = []
        for type in types where !type.group.isEmpty {
            if let index = groups.firstIndex(where: { $0.name == type.group }) {
                if !groups[index].versions.contains(type.version) { groups[index].versions.append(type.version) }
            } else {
                groups.append(NamedGroup(name: type.group, versions: [type.version]))
            }
        }
        return groups
    }

    private static func groupDocument(_ group: NamedGroup) -> JSONValue {
        let versions: [JSONValue] = group.versions.map {
            ["groupVersion": .string("\(group.name)/\($0)"), "version": .string($0)]
        }
        return [
            "name": .string(group.name), "versions": .array(versions),
            "preferredVersion": versions.first ?? .null,
        ]
    }

    private static var platform: String {
        #if arch(x86_64)
            let architecture = "amd64"
        #elseif arch(arm64)
            let architecture = "arm64"
        #else
            let architecture = "unknown"
        #endif
        #if os(Linux)
            return "linux/\(architecture)"
        #else
            return "darwin/\(architecture)"
        #endif
    }
}
