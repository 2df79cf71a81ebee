/// Who may draw from a pool: every Service of one namespace, or every namespace that has no pool of its own.
public enum PoolScope: Hashable, Comparable, Sendable, CustomStringConvertible {
    case global
    case namespace(String)

    /// The `<suffix>` of the ConfigMap keys (`cidr-<suffix>`, `range-<suffix>`) that define this scope.
    public var keySuffix: String {
        switch self {
        case .global: "global"
        case .namespace(let name): name
        }
    }

    public var description: String {
        switch self {
        case .global: "global"
        case .namespace(let name): "namespace \(name)"
        }
    }

    public static func < (lhs: PoolScope, rhs: PoolScope) -> Bool {
        switch (lhs, rhs) {
        case (.namespace(let a), .namespace(let b)): a < b
        case (.namespace, .global): true
        case (.global, _): false
        }
    }
}

/// Which end of a pool new addresses come from (`search-order`).
public enum SearchOrder: String, Sendable, Equatable {
    case ascending = "asc"
    case descending = "desc"
}
