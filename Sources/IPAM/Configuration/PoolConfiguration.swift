import NetworkAddresses

/// The `kubevip` ConfigMap's data, parsed into pools and settings.
///
/// Parsing never fails as a whole: each bad entry becomes a ``Diagnostic`` and is left out, and every good
/// entry keeps working, so one typo cannot stop allocation for the whole cluster.
///
/// Pool choice follows the documented rule rather than upstream's lookup order: a Service draws from its own
/// namespace's pool (`cidr-<ns>` and `range-<ns>` together) when the namespace has one, otherwise from the
/// global pool (`cidr-global` and `range-global` together). Upstream instead tries `cidr-<ns>`, `cidr-global`,
/// `range-<ns>`, `range-global`, so a `range-<ns>` is never read while a `cidr-global` exists.
public struct PoolConfiguration: Sendable, Equatable {
    /// The pools by scope. A namespace has a pool as soon as it has a `cidr-` or `range-` key, even when every
    /// entry of it is bad: falling back to the global pool would hand out addresses the user meant to keep apart.
    public private(set) var pools: [PoolScope: PoolDefinition] = [:]
    public private(set) var searchOrder: SearchOrder = .ascending
    public private(set) var skipEndAddressesInCIDR = false
    public private(set) var diagnostics: [Diagnostic] = []
    private var sharing: [PoolScope: Bool] = [:]
    private var interfaces: [PoolScope: String] = [:]

    public init(data: [String: String]) {
        // Settings first: skip-end-ips-in-cidr changes how every CIDR is read.
        var poolKeys: [(key: String, kind: PoolKeyKind, scope: PoolScope)] = []
        for key in data.keys.sorted() {
            guard let value = data[key] else { continue }
            switch ConfigKey(key) {
            case .searchOrder:
                switch value.trimmingWhitespace() {
                case "desc": searchOrder = .descending
                case "asc", "": searchOrder = .ascending
                default: diagnostics.append(Diagnostic(key: key, entry: value, reason: .invalidSearchOrder))
                }
            case .skipEndAddressesInCIDR:
                if let flag = Self.parseBool(value) {
                    skipEndAddressesInCIDR = flag
                } else {
                    diagnostics.append(Diagnostic(key: key, entry: value, reason: .notBoolean))
                }
            case .legacy:
                diagnostics.append(Diagnostic(key: key, reason: .legacyKey))
            case .unknown:
                diagnostics.append(Diagnostic(key: key, reason: .unknownKey))
            case .scoped(let kind, let suffix):
                guard let scope = Self.scope(suffix) else {
                    diagnostics.append(Diagnostic(key: key, reason: .invalidNamespace(suffix)))
                    continue
                }
                switch kind {
                case .cidr, .range:
                    poolKeys.append((key, kind, scope))
                case .allowShare:
                    if let flag = Self.parseBool(value) {
                        sharing[scope] = flag
                    } else {
                        diagnostics.append(Diagnostic(key: key, entry: value, reason: .notBoolean))
                    }
                case .interface:
                    let name = value.trimmingWhitespace()
                    if let why = Self.interfaceNameProblem(String(name)) {
                        diagnostics.append(Diagnostic(key: key, entry: value, reason: .invalidInterfaceName(why)))
                    } else {
                        interfaces[scope] = String(name)
                    }
                }
            }
        }

        var builders: [PoolScope: PoolBuilder] = [:]
        for (key, kind, scope) in poolKeys {
            guard let value = data[key] else { continue }
            var builder = builders[scope] ?? PoolBuilder()
            if kind == .cidr {
                builder.addCIDRs(key: key, value: value, skipEnds: skipEndAddressesInCIDR)
            } else {
                builder.addRanges(key: key, value: value)
            }
            builders[scope] = builder
        }
        for (scope, builder) in builders.sorted(by: { $0.key < $1.key }) {
            let (definition, problems) = builder.build(scope: scope)
            pools[scope] = definition
            diagnostics.append(contentsOf: problems)
        }
    }

    /// The scope a Service of `namespace` draws from, or nil when no pool serves it.
    public func scope(forNamespace namespace: String) -> PoolScope? {
        if pools[.namespace(namespace)] != nil { return .namespace(namespace) }
        return pools[.global] != nil ? .global : nil
    }

    public func pool(forNamespace namespace: String) -> PoolDefinition? {
        if let own = pools[.namespace(namespace)] { return own }
        return pools[.global]
    }

    /// `allow-share-<ns>`, else `allow-share-global`, else false (resolved apart from the pool, as upstream does).
    public func allowsSharing(namespace: String) -> Bool {
        sharing[.namespace(namespace)] ?? sharing[.global] ?? false
    }

    /// The explicit `allow-share-*` settings, by scope.
    public var sharingSettings: [PoolScope: Bool] { sharing }

    /// `interface-<ns>`, else `interface-global`: written to the Service for the node agent to use.
    public func interface(forNamespace namespace: String) -> String? {
        interfaces[.namespace(namespace)] ?? interfaces[.global]
    }

    /// The explicit `interface-*` settings, by scope.
    public var interfaceSettings: [PoolScope: String] { interfaces }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Go's strconv.ParseBool, which upstream uses, so that every value accepted there is accepted here
    /// (surrounding spaces tolerated); also how the cloud-provider role reads its boolean environment.
    public static func parseBool(_ text: String) -> Bool? {
        switch text.trimmingWhitespace() {
        case "1", "t", "T", "true", "TRUE", "True": true
        case "0", "f", "F", "false", "FALSE", "False": false
        default: nil
        }
    }

    static func scope(_ suffix: String) -> PoolScope? {
        if suffix == "global" { return .global }
        return isNamespaceName(suffix) ? .namespace(suffix) : nil
    }

    /// RFC 1123 label, as Kubernetes requires for namespace names.
    static func isNamespaceName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first, let last = bytes.last else { return false }
        func alphanumeric(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
        return alphanumeric(first) && alphanumeric(last) && bytes.allSatisfy { alphanumeric($0) || $0 == 0x2D }
    }

    /// Linux accepts 1 to 15 bytes other than '/', ':' and whitespace, except "." and "..".
    static func interfaceNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "empty" }
        if bytes.count > 15 { return "longer than 15 characters" }
        if name == "." || name == ".." { return "'\(name)' is reserved" }
        if bytes.contains(where: { $0 == 0x2F || $0 == 0x3A || $0 <= 0x20 || $0 == 0x7F }) {
            return "contains '/', ':', whitespace or a control character"
        }
        return nil
    }
}

enum PoolKeyKind: Equatable {
    case cidr, range, allowShare, interface
}

/// The shape of a ConfigMap key.
enum ConfigKey: Equatable {
    case scoped(PoolKeyKind, suffix: String)
    case searchOrder
    case skipEndAddressesInCIDR
    case legacy
    case unknown

    init(_ key: String) {
        switch key {
        case "search-order": self = .searchOrder
        case "skip-end-ips-in-cidr": self = .skipEndAddressesInCIDR
        case "kubevip-services": self = .legacy
        default:
            let prefixes: [(String, PoolKeyKind)] = [
                ("cidr-", .cidr), ("range-", .range), ("allow-share-", .allowShare), ("interface-", .interface),
            ]
            for (prefix, kind) in prefixes where key.hasPrefix(prefix) {
                self = .scoped(kind, suffix: String(key.dropFirst(prefix.count)))
                return
            }
            self = .unknown
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex..<endIndex]
        }
        return self[start...last]
    }
}
