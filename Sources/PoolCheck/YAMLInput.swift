import Foundation
import Yams

/// The file read as a YAML stream. Nodes (`compose`) rather than decoded values, so that a value keeps
/// the text it was written with and its resolved type tells whether kubectl would see a string.
enum YAMLInput {
    /// The documents that are mappings; the other documents of a stream say nothing about a ConfigMap.
    case mapping([Node])
    /// YAML, but no mapping (a scalar, which is what key=value lines parse as, or a list).
    case other
    /// No documents at all.
    case empty
    case failed(String)

    static func read(_ text: String) -> YAMLInput {
        var mappings: [Node] = []
        var documents = 0
        do {
            // The encoding is explicit: Yams' default reads an environment variable and prints to stdout.
            var stream = try compose_all(yaml: text, .default, .default, .utf8)
            while let document = stream.next() {
                documents += 1
                if case .mapping = document { mappings.append(document) }
            }
            if let error = stream.error { return .failed(describe(error)) }
        } catch {
            return .failed(describe(error))
        }
        if !mappings.isEmpty { return .mapping(mappings) }
        return documents == 0 ? .empty : .other
    }

    /// Yams' duplicate-key message quotes the whole file; the others are short and point at the line.
    private static func describe(_ error: any Error) -> String {
        if let yamlError = error as? YamlError, case .duplicatedKeysInMapping(let duplicates, let context) = yamlError {
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return "line \(context.mark.line): duplicate key \(keys) in one mapping"
        }
        return String(describing: error).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func configMapFile() throws(ConfigMapFileError) -> ConfigMapFile {
        guard case .mapping(let documents) = self else { throw .empty }
        let objects = documents.flatMap(Self.objects(in:))
        if objects.isEmpty {
            guard documents.count == 1, let document = documents.first else {
                // Several plain mappings: no way to tell which is meant.
                throw .noConfigMap(found: ["\(documents.count) YAML documents without kind"])
            }
            var reader = DataReader(strictStrings: false)
            reader.readEntries(of: document)
            return ConfigMapFile(form: .dataMapping, data: reader.data, problems: reader.problems)
        }
        let configMaps = objects.filter { $0.kind == "ConfigMap" }
        guard !configMaps.isEmpty else {
            throw .noConfigMap(found: objects.map(\.summary))
        }
        let chosen = try Self.choose(from: configMaps)
        let others = configMaps.indices.filter { $0 != chosen }.map { configMaps[$0].qualifiedName }
        return configMaps[chosen].configMapFile(skipping: others)
    }

    /// One ConfigMap when the file has one; otherwise the one the controller would read by default.
    private static func choose(from configMaps: [ManifestObject]) throws(ConfigMapFileError) -> Int {
        if configMaps.count == 1 { return 0 }
        let named = configMaps.indices.filter { configMaps[$0].name == "kubevip" }
        if named.count == 1, let only = named.first { return only }
        let inKubeSystem = named.filter { configMaps[$0].namespace == "kube-system" }
        if inKubeSystem.count == 1, let only = inKubeSystem.first { return only }
        throw .ambiguous(configMaps.map(\.qualifiedName))
    }

    /// The Kubernetes objects of one document: itself, or the items of a `kind: List` (what
    /// `kubectl get -o yaml` prints for several objects).
    private static func objects(in document: Node) -> [ManifestObject] {
        guard let mapping = document.mapping, ManifestObject.looksLikeObject(mapping) else { return [] }
        let object = ManifestObject(mapping)
        if let kind = object.kind, kind.hasSuffix("List"), let items = mapping["items"]?.sequence {
            return items.compactMap { item in
                guard let itemMapping = item.mapping else { return nil }
                return ManifestObject(itemMapping)
            }
        }
        return [object]
    }
}

/// A Kubernetes object as far as choosing and checking a ConfigMap needs it.
struct ManifestObject {
    let mapping: Node.Mapping
    let kind: String?
    let apiVersion: String?
    let name: String?
    let namespace: String?
    /// Where the object starts, for problems about a field that is missing.
    let line: Int?

    init(_ mapping: Node.Mapping) {
        self.mapping = mapping
        kind = mapping["kind"]?.scalar?.string
        apiVersion = mapping["apiVersion"]?.scalar?.string
        let metadata = mapping["metadata"]?.mapping
        name = metadata?["name"]?.scalar?.string
        namespace = metadata?["namespace"]?.scalar?.string
        line = mapping.mark?.line
    }

    /// No kubevip data key is called `kind`, `apiVersion` or `metadata`, so a mapping with one of them is a
    /// manifest (perhaps a broken one), never the data on its own.
    static func looksLikeObject(_ mapping: Node.Mapping) -> Bool {
        mapping["kind"] != nil || mapping["apiVersion"] != nil || mapping["metadata"] != nil
    }

    var qualifiedName: String { "\(namespace ?? "<current namespace>")/\(name ?? "<no name>")" }

    /// "Kind name", as an error message lists what the file holds instead of a ConfigMap.
    var summary: String {
        [kind ?? "object without kind", name].compactMap { $0 }.joined(separator: " ")
    }

    func configMapFile(skipping others: [String]) -> ConfigMapFile {
        var reader = DataReader(strictStrings: true)
        if apiVersion != "v1" {
            reader.problems.append(
                FileProblem(subject: "apiVersion", line: mapping["apiVersion"]?.mark?.line ?? line,
                            reason: .wrongAPIVersion(apiVersion)))
        }
        if name == nil {
            reader.problems.append(FileProblem(subject: "metadata.name", line: line, reason: .missingName))
        }
        if name != "kubevip" || namespace != "kube-system" {
            reader.problems.append(
                FileProblem(subject: "metadata", line: mapping["metadata"]?.mark?.line ?? line,
                            reason: .notTheDefaultConfigMap(name: name, namespace: namespace)))
        }
        if !others.isEmpty {
            reader.problems.append(FileProblem(subject: "other ConfigMaps", reason: .otherConfigMapsSkipped(others)))
        }
        if let data = mapping["data"] {
            switch data {
            case .mapping:
                reader.readEntries(of: data)
            case .scalar where data.tag.description == Tag.Name.null.rawValue:
                break  // `data:` with nothing under it is an empty ConfigMap.
            default:
                reader.problems.append(FileProblem(subject: "data", line: data.mark?.line, reason: .dataNotMapping))
            }
        }
        if let binaryData = mapping["binaryData"], binaryData.mapping?.isEmpty == false {
            reader.problems.append(
                FileProblem(subject: "binaryData", line: binaryData.mark?.line, reason: .binaryDataIgnored))
        }
        return ConfigMapFile(form: .configMap(name: name, namespace: namespace), data: reader.data,
                             problems: reader.problems)
    }
}

/// Turns a YAML mapping into ConfigMap data, one problem per entry that is not a plain string.
struct DataReader {
    /// In a manifest the API server wants strings; in a plain mapping nothing is sent as YAML, so any scalar
    /// is taken as its text.
    let strictStrings: Bool
    var data: [String: String] = [:]
    var problems: [FileProblem] = []

    init(strictStrings: Bool) {
        self.strictStrings = strictStrings
    }

    mutating func readEntries(of node: Node) {
        guard let mapping = node.mapping else { return }
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string else {
                problems.append(FileProblem(subject: "data", line: keyNode.mark?.line, reason: .nonScalarKey))
                continue
            }
            let line = valueNode.mark?.line ?? keyNode.mark?.line
            if let why = ConfigMapKey.problem(key) {
                problems.append(FileProblem(subject: quoted(key), line: keyNode.mark?.line, reason: .invalidKey(why)))
                continue
            }
            switch valueNode {
            case .scalar(let scalar):
                data[key] = value(of: valueNode, text: scalar.string, key: key, line: line)
            case .mapping:
                problems.append(FileProblem(subject: key, line: line, reason: .nonScalarValue(kind: "a map")))
            case .sequence:
                problems.append(FileProblem(subject: key, line: line, reason: .nonScalarValue(kind: "a list")))
            case .alias:
                // compose resolves aliases to the anchored node, so this does not occur; a value that cannot
                // be read is still reported rather than dropped silently.
                problems.append(FileProblem(subject: key, line: line, reason: .nonScalarValue(kind: "an alias")))
            }
        }
    }

    /// The text the API server would store, reporting values it would refuse or store differently.
    private mutating func value(of node: Node, text: String, key: String, line: Int?) -> String {
        switch node.tag.description {
        case Tag.Name.null.rawValue:
            if strictStrings { problems.append(FileProblem(subject: key, line: line, reason: .nullValue(text: text))) }
            return ""
        case Tag.Name.bool.rawValue, Tag.Name.int.rawValue, Tag.Name.float.rawValue:
            if strictStrings {
                let type = switch node.tag.description {
                case Tag.Name.bool.rawValue: "bool"
                case Tag.Name.int.rawValue: "int"
                default: "float"
                }
                problems.append(FileProblem(subject: key, line: line, reason: .unquotedScalar(text: text, type: type)))
            }
            return text
        default:
            return text
        }
    }

    private func quoted(_ key: String) -> String { "\"\(key)\"" }
}
