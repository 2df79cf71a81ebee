import NetworkAddresses

/// A Service's identity for allocation: the same namespace/name is the same Service, also across re-creation.
///
/// The hashes are computed once, at creation: every allocator call looks Services and namespaces up in
/// tables that rehash all their keys as they grow, and hashing two strings each time dominated that.
public struct ServiceKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let namespace: String
    public let name: String
    let namespaceHash: Int
    private let keyHash: Int

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
        namespaceHash = namespace.hashValue
        var hasher = Hasher()
        hasher.combine(namespaceHash)
        hasher.combine(name)
        keyHash = hasher.finalize()
    }

    public static func == (lhs: ServiceKey, rhs: ServiceKey) -> Bool {
        lhs.keyHash == rhs.keyHash && lhs.name == rhs.name && lhs.namespace == rhs.namespace
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keyHash)
    }

    /// The namespace, carrying its precomputed hash, for namespace-keyed tables.
    var namespaceKey: NamespaceKey { NamespaceKey(name: namespace, hash: namespaceHash) }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: ServiceKey, rhs: ServiceKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}

/// A namespace name with its hash computed once (see ``ServiceKey``).
struct NamespaceKey: Hashable, Sendable {
    let name: String
    let hash: Int

    init(name: String, hash: Int) {
        self.name = name
        self.hash = hash
    }

    init(_ name: String) {
        self.init(name: name, hash: name.hashValue)
    }

    static func == (lhs: NamespaceKey, rhs: NamespaceKey) -> Bool { lhs.hash == rhs.hash && lhs.name == rhs.name }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}

public enum TransportProtocol: UInt8, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case tcp = 0
    case udp = 1
    case sctp = 2

    /// Kubernetes spelling (`TCP`, `UDP`, `SCTP`).
    public init?(kubernetesName: String) {
        switch kubernetesName {
        case "TCP": self = .tcp
        case "UDP": self = .udp
        case "SCTP": self = .sctp
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .tcp: "TCP"
        case .udp: "UDP"
        case .sctp: "SCTP"
        }
    }

    public static func < (lhs: TransportProtocol, rhs: TransportProtocol) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One (protocol, port) a Service listens on. Sharing compares these pairs, so TCP/53 and UDP/53 can share an
/// address (upstream compares port numbers only and refuses them).
public struct ServicePort: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let transport: TransportProtocol
    public let port: UInt16

    public init(_ transport: TransportProtocol, _ port: UInt16) {
        self.transport = transport
        self.port = port
    }

    private var packed: UInt32 { UInt32(transport.rawValue) << 16 | UInt32(port) }

    public var description: String { "\(transport)/\(port)" }

    public static func < (lhs: ServicePort, rhs: ServicePort) -> Bool { lhs.packed < rhs.packed }
}

/// `spec.ipFamilyPolicy`; a Service without one is single-stack.
public enum IPFamilyPolicy: String, Sendable, Hashable {
    case singleStack = "SingleStack"
    case preferDualStack = "PreferDualStack"
    case requireDualStack = "RequireDualStack"
}

/// What a Service asks of the allocator.
public struct AddressRequest: Sendable, Hashable {
    public var service: ServiceKey
    /// The Service's ports: they decide whether it may share an IPv4 address with others.
    public var ports: [ServicePort]
    public var familyPolicy: IPFamilyPolicy
    /// `spec.ipFamilies`, primary first; empty lets the pool decide (IPv4 when it has IPv4).
    public var families: [IPFamily]
    /// Addresses the user asked for (`kube-vip.io/loadbalancerIPs`, `spec.loadBalancerIP`), honoured even
    /// outside the pools. Empty means "allocate from the pool". `0.0.0.0` and `::` mean "lease by DHCP".
    public var requestedAddresses: [IPAddress]
    /// The Service just gave its addresses up to get different ones (its user removed the record): do not
    /// hand back what it released, which is otherwise what a returning Service gets.
    public var freshAddress: Bool

    public init(
        service: ServiceKey,
        ports: [ServicePort] = [],
        familyPolicy: IPFamilyPolicy = .singleStack,
        families: [IPFamily] = [],
        requestedAddresses: [IPAddress] = [],
        freshAddress: Bool = false
    ) {
        self.service = service
        self.ports = ports
        self.familyPolicy = familyPolicy
        self.families = families
        self.requestedAddresses = requestedAddresses
        self.freshAddress = freshAddress
    }
}

/// The addresses a Service holds, and why.
public struct Assignment: Sendable, Hashable, CustomStringConvertible {
    public enum Origin: Sendable, Hashable {
        /// Chosen by the allocator from the Service's pool.
        case pool
        /// Asked for by the user.
        case requested
        /// The Service's pool is the DHCP sentinel: the address is `0.0.0.0` until the node agent leases one.
        case dhcp
    }

    public let service: ServiceKey
    /// Primary family first, as written to `kube-vip.io/loadbalancerIPs`.
    public internal(set) var addresses: [IPAddress]
    public internal(set) var origin: Origin
    public internal(set) var ports: [ServicePort]

    public init(service: ServiceKey, addresses: [IPAddress], origin: Origin, ports: [ServicePort]) {
        self.service = service
        self.addresses = addresses
        self.origin = origin
        self.ports = ports
    }

    /// The annotation value: addresses joined by commas.
    public var annotationValue: String { addresses.map(\.description).joined(separator: ",") }

    public var description: String { "\(service) -> \(annotationValue)" }
}

/// Why an address a Service wants cannot be its.
public enum SharingRefusal: Sendable, Hashable, CustomStringConvertible {
    /// The requesting Service's namespace does not allow sharing (`allow-share-*`).
    case requesterMayNotShare
    /// A current holder's namespace does not allow sharing.
    case holderMayNotShare(ServiceKey)
    /// Both allow sharing but these (protocol, port) pairs are already used on the address.
    case portsInUse([ServicePort])
    /// A Service without ports claims the whole address, so it cannot share.
    case noPorts
    /// Only IPv4 addresses are shared, as upstream does.
    case ipv6

    public var description: String {
        switch self {
        case .requesterMayNotShare: "its namespace does not allow sharing"
        case .holderMayNotShare(let holder): "\(holder)'s namespace does not allow sharing"
        case .portsInUse(let ports): "ports \(ports.map(\.description).joined(separator: ", ")) are already used there"
        case .noPorts: "a Service without ports cannot share an address"
        case .ipv6: "IPv6 addresses are never shared"
        }
    }
}

public enum AllocationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Neither the namespace nor the cluster has a pool.
    case noPool(namespace: String)
    /// The scope's pool has no addresses of a family the Service needs.
    case noPoolForFamily(PoolScope, IPFamily)
    /// Every address of the family is taken.
    case exhausted(PoolScope, IPFamily)
    /// Neither family of a PreferDualStack Service could be served.
    case noFamilyAvailable([AllocationFailure])
    /// The address belongs to other Services and cannot be shared with them.
    case addressInUse(IPAddress, holders: [ServiceKey], SharingRefusal)

    public var description: String {
        switch self {
        case .noPool(let namespace):
            "no address pool serves namespace \(namespace) (no cidr-/range-\(namespace) and no cidr-/range-global)"
        case .noPoolForFamily(let scope, let family): "the \(scope) pool has no \(family) addresses"
        case .exhausted(let scope, let family): "no \(family) addresses left in the \(scope) pool"
        case .noFamilyAvailable(let failures): failures.map(\.description).joined(separator: "; ")
        case .addressInUse(let address, let holders, let why):
            "\(address) is held by \(holders.map(\.description).joined(separator: ", ")): \(why)"
        }
    }
}

/// An allocation found on a Service when the controller starts, to rebuild the allocator from.
public struct ExistingAssignment: Sendable, Hashable {
    public var service: ServiceKey
    public var addresses: [IPAddress]
    public var ports: [ServicePort]
    /// Whether the user asked for these addresses (as opposed to the allocator choosing them).
    public var requested: Bool
    /// `metadata.creationTimestamp` (any monotonic unit): the earliest claim wins a conflict.
    public var created: Int64

    public init(service: ServiceKey, addresses: [IPAddress], ports: [ServicePort], requested: Bool, created: Int64) {
        self.service = service
        self.addresses = addresses
        self.ports = ports
        self.requested = requested
        self.created = created
    }
}

/// Two restored Services claim one address and cannot share it: the earlier claim keeps it.
public struct RestoreConflict: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let kept: [ServiceKey]
    public let rejected: ServiceKey
    public let reason: SharingRefusal

    public var description: String {
        "\(address): kept by \(kept.map(\.description).joined(separator: ", ")), refused to \(rejected): \(reason)"
    }
}

/// An address the allocator chose that its Service's pool no longer contains. It stays with the Service
/// (no silent re-allocation); the controller reports it so the user can decide.
public struct PoolDrift: Sendable, Hashable, CustomStringConvertible {
    public let service: ServiceKey
    public let address: IPAddress
    /// The scope the Service draws from now, nil when no pool serves its namespace any more.
    public let scope: PoolScope?

    public var description: String {
        if let scope {
            "\(service) holds \(address), which is outside the \(scope) pool"
        } else {
            "\(service) holds \(address), but no pool serves namespace \(service.namespace) any more"
        }
    }
}

/// Addresses of one pool and family: how many can be handed out and how many are held.
public struct PoolUsage: Sendable, Hashable {
    public let scope: PoolScope
    public let family: IPFamily
    public let capacity: UInt128
    public let used: Int
}
