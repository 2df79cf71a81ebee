/// Where a request goes, read from its URL path alone.
///
/// Kept free of the registry and of I/O so that every path shape kube-apiserver serves can be tested as a
/// plain value; the responder resolves `resource` against `ResourceRegistry` afterwards.
enum APIPath: Sendable, Equatable {
    case version
    /// `/healthz`, `/readyz`, `/livez` and their per-check sub-paths.
    case health
    /// `/api`: the legacy core group's versions.
    case coreGroupVersions
    /// `/apis`: every named group.
    case groupList
    /// `/apis/{group}`.
    case group(String)
    /// `/api/v1` or `/apis/{group}/{version}`: the APIResourceList.
    case resourceList(group: String, version: String)
    case openAPIv3Root
    /// `/openapi/v3/api/v1` or `/openapi/v3/apis/{group}/{version}`.
    case openAPIv3GroupVersion(group: String, version: String)
    case openAPIv2
    case resource(ResourcePath)
    case unknown

    init(_ rawPath: String) {
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: true).map {
            Self.percentDecoded($0)
        }
        self = Self.classify(segments[...])
    }

    private static func classify(_ segments: ArraySlice<String>) -> APIPath {
        guard let first = segments.first else { return .unknown }
        let rest = segments.dropFirst()
        switch first {
        case "version": return rest.isEmpty ? .version : .unknown
        case "healthz", "readyz", "livez": return .health
        case "openapi": return openAPI(rest)
        case "api":
            guard let version = rest.first else { return .coreGroupVersions }
            return groupVersion(group: "", version: version, rest.dropFirst())
        case "apis":
            guard let group = rest.first else { return .groupList }
            guard let version = rest.dropFirst().first else { return .group(group) }
            return groupVersion(group: group, version: version, rest.dropFirst(2))
        default: return .unknown
        }
    }

    private static func openAPI(_ segments: ArraySlice<String>) -> APIPath {
        let parts = Array(segments)
        switch parts.count {
        case 1 where parts[0] == "v2": return .openAPIv2
        case 1 where parts[0] == "v3": return .openAPIv3Root
        case 3 where parts[0] == "v3" && parts[1] == "api": return .openAPIv3GroupVersion(group: "", version: parts[2])
        case 4 where parts[0] == "v3" && parts[1] == "apis":
            return .openAPIv3GroupVersion(group: parts[2], version: parts[3])
        default: return .unknown
        }
    }

    private static func groupVersion(group: String, version: String, _ segments: ArraySlice<String>) -> APIPath {
        if segments.isEmpty { return .resourceList(group: group, version: version) }
        var segments = segments
        var watchPrefix = false
        if segments.first == "watch" {
            watchPrefix = true
            segments = segments.dropFirst()
        }
        guard var path = ResourcePath(group: group, version: version, segments: Array(segments)) else {
            return .unknown
        }
        path.isWatchPrefix = watchPrefix
        return .resource(path)
    }

    /// Path segments may be percent-encoded by clients; object names never contain `%`, so decoding is safe.
    static func percentDecoded(_ segment: Substring) -> String {
        guard segment.contains("%") else { return String(segment) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(segment.utf8.count)
        var iterator = segment.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else {
                return String(segment)
            }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The resource part of a path: `[namespaces/{ns}/]{resource}[/{name}[/{subresource}]]`.
struct ResourcePath: Sendable, Equatable {
    var group: String
    var version: String
    var namespace: String?
    var resource: String
    var name: String?
    var subresource: String?
    /// The deprecated `/watch/` form, which means `?watch=true`.
    var isWatchPrefix = false

    init(
        group: String, version: String, namespace: String? = nil, resource: String, name: String? = nil,
        subresource: String? = nil, isWatchPrefix: Bool = false
    ) {
        self.group = group
        self.version = version
        self.namespace = namespace
        self.resource = resource
        self.name = name
        self.subresource = subresource
        self.isWatchPrefix = isWatchPrefix
    }

    /// `nil` when the segments cannot name a resource (too many, or empty).
    init?(group: String, version: String, segments: [String]) {
        self.group = group
        self.version = version
        // `namespaces/{ns}` alone, or with one of the namespace's own subresources, is the Namespace object.
        if segments.first == "namespaces", segments.count >= 3,
            !(segments.count == 3 && Self.namespaceSubresources.contains(segments[2]))
        {
            namespace = segments[1]
            let local = segments.dropFirst(2)
            guard local.count <= 3, let resource = local.first else { return nil }
            self.resource = resource
            self.name = local.dropFirst().first
            self.subresource = local.dropFirst(2).first
            return
        }
        guard (1...3).contains(segments.count) else { return nil }
        resource = segments[0]
        name = segments.count > 1 ? segments[1] : nil
        subresource = segments.count > 2 ? segments[2] : nil
    }

    private static let namespaceSubresources: Set<String> = ["status", "finalize"]
}
