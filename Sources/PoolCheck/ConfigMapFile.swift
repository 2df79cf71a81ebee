import Foundation
import ReportText

/// The `kubevip` ConfigMap data found in a file, with the problems of the file itself (as opposed to the
/// problems of the pool settings, which `PoolConfiguration` reports).
///
/// Reading is lenient like `PoolConfiguration`: a bad value becomes a ``FileProblem`` and the rest is still
/// checked. Only a file that holds no ConfigMap data at all fails, with a ``ConfigMapFileError``.
public struct ConfigMapFile: Sendable, Equatable {
    /// How the data was written, which decides what a problem is: an unquoted `true` is fine as the value of
    /// a plain mapping but makes the API server refuse a ConfigMap manifest.
    public enum Form: Sendable, Equatable {
        /// A Kubernetes ConfigMap manifest; name and namespace are nil when the manifest leaves them out.
        case configMap(name: String?, namespace: String?)
        /// A YAML mapping of keys to values, without `kind`: the `data` section on its own.
        case dataMapping
        /// `key=value` lines, as `kubectl create configmap --from-env-file` reads them.
        case envFile
    }

    public let form: Form
    public let data: [String: String]
    public let problems: [FileProblem]

    public init(form: Form, data: [String: String], problems: [FileProblem]) {
        self.form = form
        self.data = data
        self.problems = problems
    }

    /// Reads raw file contents; anything that is not UTF-8 text cannot be a manifest or an env file.
    public static func read(contents: Data) throws(ConfigMapFileError) -> ConfigMapFile {
        guard let text = String(data: contents, encoding: .utf8), !text.unicodeScalars.contains("\0") else {
            throw .notText
        }
        return try read(text: text)
    }

    public static func read(text: String) throws(ConfigMapFileError) -> ConfigMapFile {
        // Editors on Windows write a byte order mark; kubectl ignores it and so do we.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let yaml = YAMLInput.read(text)
        if case .mapping = yaml {
            return try yaml.configMapFile()
        }
        // key=value text is also valid YAML (one long plain scalar), so the env form is tried only once YAML
        // has not found a mapping.
        if let envFile = EnvFileInput.read(text) {
            return envFile
        }
        switch yaml {
        case .failed(let message): throw .invalidYAML(message)
        case .empty: throw .empty
        case .mapping, .other: throw EnvFileInput.unrecognised(text)
        }
    }
}

/// A problem in the file, apart from what the pool settings mean.
public struct FileProblem: Sendable, Equatable, CustomStringConvertible {
    public typealias Severity = ReportText.Severity

    public enum Reason: Sendable, Equatable {
        /// An unquoted data value that YAML reads as `type` (bool, int or float): the API server refuses it.
        case unquotedScalar(text: String, type: String)
        /// An empty or `null` data value: stored empty on create, but `kubectl apply` deletes the key on update.
        case nullValue(text: String)
        /// A list or map where a string belongs; the key is left out.
        case nonScalarValue(kind: String)
        /// A mapping key that is not a plain string (a list or map used as a key).
        case nonScalarKey
        /// The API server accepts letters, digits, '-', '_' and '.' in data keys; the key is left out.
        case invalidKey(String)
        /// The same key twice in an env file: kubectl refuses the file; the first value is kept.
        case duplicateKey
        /// `data` is not a mapping; nothing under it is read.
        case dataNotMapping
        /// The controller reads `data` only.
        case binaryDataIgnored
        /// A ConfigMap is `apiVersion: v1`; kubectl refuses anything else.
        case wrongAPIVersion(String?)
        /// kubectl refuses an object without `metadata.name`.
        case missingName
        /// Not `kube-system/kubevip`, which the controller reads unless told otherwise.
        case notTheDefaultConfigMap(name: String?, namespace: String?)
        /// The file has several ConfigMaps and only one is checked.
        case otherConfigMapsSkipped([String])
    }

    /// The data key, or the manifest field, the problem is about.
    public let subject: String
    /// 1-based line in the file, when known.
    public let line: Int?
    public let reason: Reason

    public init(subject: String, line: Int? = nil, reason: Reason) {
        self.subject = subject
        self.line = line
        self.reason = reason
    }

    public var severity: Severity {
        switch reason {
        case .unquotedScalar, .nonScalarValue, .nonScalarKey, .invalidKey, .duplicateKey, .dataNotMapping,
            .wrongAPIVersion, .missingName:
            .error
        case .nullValue, .binaryDataIgnored: .warning
        case .notTheDefaultConfigMap, .otherConfigMapsSkipped: .note
        }
    }

    public var message: String {
        switch reason {
        case .unquotedScalar(let text, let type):
            "YAML reads the unquoted value \(text) as \(type == "int" ? "an" : "a") \(type), but ConfigMap data "
                + "values must be strings and the API server refuses it; quote it: \"\(text)\""
        case .nullValue(let text):
            "YAML reads \(text.isEmpty ? "the empty value" : "the unquoted value \(text)") as null, not a string: "
                + "the key is stored empty when created but removed by kubectl apply on update; write \"\" "
                + "for an empty value or remove the key"
        case .nonScalarValue(let kind):
            "is \(kind), but ConfigMap data values must be strings (write list entries comma-separated); "
                + "key ignored"
        case .nonScalarKey: "a list or map cannot be a ConfigMap key; ignored"
        case .invalidKey(let why): "not a valid ConfigMap key: \(why); ignored"
        case .duplicateKey: "key appears more than once, which kubectl refuses; using the first value"
        case .dataNotMapping: "data must be a mapping of keys to string values; nothing under it was read"
        case .binaryDataIgnored: "kube-vip reads only data; binaryData is ignored"
        case .wrongAPIVersion(let version):
            if let version {
                "ConfigMap is apiVersion v1, not \(version); kubectl refuses it"
            } else {
                "apiVersion is missing (ConfigMap is v1); kubectl refuses it"
            }
        case .missingName: "metadata.name is missing; kubectl refuses an object without a name"
        case .notTheDefaultConfigMap(let name, let namespace):
            "this is \(namespace ?? "<current namespace>")/\(name ?? "<no name>"); the controller reads "
                + "kube-system/kubevip unless KUBEVIP_NAMESPACE and KUBEVIP_CONFIG_MAP say otherwise"
        case .otherConfigMapsSkipped(let names):
            "\(names.joined(separator: ", ")) not checked; only one ConfigMap is checked per run"
        }
    }

    public var description: String {
        let place = line.map { " (line \($0))" } ?? ""
        return "\(severity.rawValue): \(subject)\(place): \(message)"
    }
}

/// Why a file holds no ConfigMap data at all.
public enum ConfigMapFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not UTF-8, or has NUL bytes: a binary file.
    case notText
    /// Nothing but whitespace and comments.
    case empty
    /// Neither valid YAML nor `key=value` lines; the parser's own message.
    case invalidYAML(String)
    /// Kubernetes objects, none of them a ConfigMap (each as "Kind name").
    case noConfigMap(found: [String])
    /// Several ConfigMaps and none of them is `kubevip` (each as "namespace/name").
    case ambiguous([String])
    /// Not a YAML mapping and not `key=value` lines; the first line that is neither, with its number.
    case unrecognised(line: Int, text: String)

    public var description: String {
        let expected =
            "expected a ConfigMap manifest (kind: ConfigMap), a YAML mapping of keys to values, "
            + "or key=value lines"
        switch self {
        case .notText: return "not a text file (binary or not UTF-8); \(expected)"
        case .empty: return "the file is empty; \(expected)"
        case .invalidYAML(let message): return "not valid YAML: \(message)"
        case .noConfigMap(let found):
            let shown = found.prefix(5).joined(separator: ", ")
            let more = found.count > 5 ? " and \(found.count - 5) more" : ""
            return "no ConfigMap in the file (found \(shown)\(more)); \(expected)"
        case .ambiguous(let names):
            return "the file has several ConfigMaps (\(names.joined(separator: ", "))) and none is named "
                + "kubevip; put the one to check in a file of its own"
        case .unrecognised(let line, let text):
            let shown = text.count > 60 ? String(text.prefix(60)) + "..." : text
            return "not a ConfigMap: line \(line) (\"\(shown)\") is not YAML key: value nor key=value; \(expected)"
        }
    }
}

/// The API server's rule for data keys (`IsConfigMapKey`), checked here so that the report names the key
/// instead of the controller calling it an unknown key.
enum ConfigMapKey {
    static func problem(_ key: String) -> String? {
        if key.isEmpty { return "empty" }
        if key.utf8.count > 253 { return "longer than 253 characters" }
        if key == "." || key == ".." || key.hasPrefix("..") { return "'.', '..' and a leading '..' are reserved" }
        let allowed = key.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E
        }
        return allowed ? nil : "only letters, digits, '-', '_' and '.' are allowed"
    }
}
