import Foundation
import Manifests
import NetworkLab
import Testing
import Yams

@testable import KubeVip

/// The package's files, whatever the working directory.
enum PackageRoot {
    static let url = NetworkLab.packageRoot

    static func file(_ path: String) throws -> URL {
        try #require(url, "package root not found above \(#filePath)").appendingPathComponent(path)
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: file(path), encoding: .utf8)
    }
}

/// `kubernetes-validate` (PyPI), which checks objects against the OpenAPI schema of a Kubernetes release.
/// `scripts/install-validator.sh` installs it; without it the validation tests skip, saying so.
enum Validator {
    /// The release the manifests must be valid for.
    static let kubernetesVersion = "1.37.0"

    static let path: String? = {
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["KUBERNETES_VALIDATE"], !configured.isEmpty {
            candidates.append(configured)
        }
        if let root = PackageRoot.url {
            candidates.append(root.appendingPathComponent(".build/tools/venv/bin/kubernetes-validate").path)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let missing =
        "kubernetes-validate not found: run scripts/install-validator.sh or set KUBERNETES_VALIDATE to its path"

    /// One run over every file (the tool starts slowly: one Python start-up and schema load for all).
    static func validate(_ files: [URL]) async throws -> CommandResult {
        let program = try #require(path, Comment(rawValue: missing))
        return try await ChildProcess.run(
            [program, "-k", kubernetesVersion, "--strict"] + files.map(\.path), timeout: .seconds(300))
    }
}

/// A directory under the temporary directory that no other test uses; removed by `remove()`.
struct ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("manifests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ text: String, named name: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A generated document read back by a real YAML parser, so that tests check what a reader sees (types
/// included: an env value must come back as a string) rather than the emitter's own tree.
struct ParsedManifest {
    let objects: [[String: Any]]

    init(_ document: ManifestDocument) throws {
        try self.init(text: document.yaml)
    }

    init(text: String) throws {
        var objects: [[String: Any]] = []
        for object in try Yams.load_all(yaml: text) {
            objects.append(try #require(object as? [String: Any], "every document is a mapping"))
        }
        self.objects = objects
    }

    func objects(kind: String) -> [[String: Any]] {
        objects.filter { $0["kind"] as? String == kind }
    }

    func only(kind: String) throws -> [String: Any] {
        let matching = objects(kind: kind)
        try #require(matching.count == 1, "expected one \(kind), found \(matching.count)")
        return matching[0]
    }

    /// The pod spec of the one workload (DaemonSet, Deployment or Pod).
    func podSpec() throws -> [String: Any] {
        for kind in ["DaemonSet", "Deployment"] where !objects(kind: kind).isEmpty {
            return try #require(value(try only(kind: kind), "spec", "template", "spec") as? [String: Any])
        }
        return try #require(value(try only(kind: "Pod"), "spec") as? [String: Any])
    }

    func container() throws -> [String: Any] {
        let containers = try #require(try podSpec()["containers"] as? [[String: Any]])
        try #require(containers.count == 1)
        return containers[0]
    }

    /// The container's plain env values by name (valueFrom entries map to nil).
    func environment() throws -> [String: String?] {
        let env = try container()["env"] as? [[String: Any]] ?? []
        var result: [String: String?] = [:]
        for entry in env {
            let name = try #require(entry["name"] as? String)
            if let value = entry["value"] {
                result[name] = .some(try #require(value as? String, "env \(name) must be a string, got \(value)"))
            } else {
                result[name] = .some(nil)
            }
        }
        return result
    }

    func envNames() throws -> [String] {
        let env = try container()["env"] as? [[String: Any]] ?? []
        return env.compactMap { $0["name"] as? String }
    }
}

/// The value at a path of mapping keys in a parsed object.
func value(_ object: Any?, _ keys: String...) -> Any? {
    var current = object
    for key in keys { current = (current as? [String: Any])?[key] }
    return current
}

/// `kube-vip manifest ARGUMENTS`, parsed and generated in this process as the binary would.
func manifest(_ arguments: String...) throws -> ManifestDocument {
    try ManifestCommand.document(arguments: arguments)
}

/// Why `kube-vip manifest ARGUMENTS` is refused, as the binary would print it; nil when it is accepted.
func refusal(_ arguments: String...) -> String? {
    do {
        _ = try ManifestCommand.document(arguments: arguments)
        return nil
    } catch {
        return ManifestCommand.message(for: error)
    }
}
