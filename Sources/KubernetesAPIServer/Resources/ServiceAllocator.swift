import KubernetesModels

/// The cluster IPs and node ports in use, and the rules for handing them out.
///
/// Planning is separate from taking: `plan` checks and chooses without changing anything, the store commits
/// the object, and only then `apply` takes the plan. A write that fails (invalid, conflict, dry run, a
/// journal error) therefore never leaks an address or a port.
struct ServiceAllocator: Sendable {
    /// 10.96.0.0/12, kubeadm's default service CIDR.
    static let ipRange: ClosedRange<UInt32> = (10 << 24 | 96 << 16)...(10 << 24 | 111 << 16 | 255 << 8 | 255)
    static let ipRangeText = "10.96.0.0/12"
    /// The first address of the range belongs to the `kubernetes` Service; it is never handed out by itself.
    static let kubernetesServiceIP: UInt32 = ipRange.lowerBound + 1
    static let nodePortRange: ClosedRange<Int> = 30000...32767

    private(set) var usedIPs: Set<UInt32> = []
    private(set) var usedNodePorts: Set<Int> = []
    private var nextIP = ServiceAllocator.kubernetesServiceIP + 1
    private var nextNodePort = ServiceAllocator.nodePortRange.lowerBound

    /// Chooses the Service's cluster IP and node ports (keeping the stored ones on update, and explicit
    /// ones when free) and writes them into `object`.
    mutating func plan(for object: inout JSONValue, old: JSONValue?) throws(ServiceAllocationFailure)
        -> ServiceAllocationPlan
    {
        var spec = object["spec"] ?? [:]
        object["spec"] = nil
        defer { object["spec"] = spec }
        var plan = ServiceAllocationPlan()
        try planClusterIP(&spec, old: old?["spec"], plan: &plan)
        try planNodePorts(&spec, old: old?["spec"], plan: &plan)
        return plan
    }

    mutating func apply(_ plan: ServiceAllocationPlan) {
        usedIPs.subtract(plan.releasedIPs)
        usedIPs.formUnion(plan.acquiredIPs)
        usedNodePorts.subtract(plan.releasedNodePorts)
        usedNodePorts.formUnion(plan.acquiredNodePorts)
    }

    mutating func release(_ service: JSONValue) {
        if let ip = Self.allocatedIP(service["spec"] ?? [:]) { usedIPs.remove(ip) }
        usedNodePorts.subtract(ServicePorts(service).nodePorts)
    }

    /// Takes what a stored Service holds (when loading); returns the clashes, which cannot happen unless
    /// the data directory was edited by hand.
    mutating func adopt(_ service: JSONValue) -> [String] {
        var problems: [String] = []
        if let ip = Self.allocatedIP(service["spec"] ?? [:]), !usedIPs.insert(ip).inserted {
            problems.append("cluster IP \(IPv4.format(ip)) is also used by another Service")
        }
        for port in ServicePorts(service).nodePorts where !usedNodePorts.insert(port).inserted {
            problems.append("node port \(port) is also used by another Service")
        }
        return problems
    }

    private static func allocatedIP(_ spec: JSONValue) -> UInt32? {
        guard let text = spec["clusterIP"]?.stringValue, let ip = IPv4.parse(text), ipRange.contains(ip) else {
            return nil
        }
        return ip
    }

    // MARK: - Cluster IP

    private mutating func planClusterIP(_ spec: inout JSONValue, old: JSONValue?, plan: inout ServiceAllocationPlan)
        throws(ServiceAllocationFailure)
    {
        let type = spec["type"]?.stringValue ?? ServiceType.clusterIP
        var requested = spec["clusterIP"]?.stringValue ?? ""
        if requested.isEmpty, let first = spec["clusterIPs"]?.arrayValue?.first?.stringValue { requested = first }
        let oldText = old?["clusterIP"]?.stringValue ?? ""
        let oldIP = old.flatMap { Self.allocatedIP($0) }

        if type == ServiceType.externalName {
            spec["clusterIP"] = nil
            spec["clusterIPs"] = nil
            if let oldIP { plan.releasedIPs.append(oldIP) }
            return
        }
        if requested.isEmpty, !oldText.isEmpty { requested = oldText }
        if !oldText.isEmpty, requested != oldText {
            throw .invalid(
                ServiceValidation.invalid(
                    "spec.clusterIPs[0]", "[]string{\"\(requested)\"}", "may not change once set"))
        }
        if requested == "None" {
            spec["clusterIP"] = "None"
            spec["clusterIPs"] = ["None"]
            return
        }
        let ip: UInt32
        if requested.isEmpty {
            ip = try freeIP()
            plan.acquiredIPs.append(ip)
        } else {
            guard let parsed = IPv4.parse(requested) else {
                throw .invalid(
                    ServiceValidation.invalid(
                        "spec.clusterIPs[0]", "\"\(requested)\"",
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
            }
            guard Self.ipRange.contains(parsed) else {
                throw .invalid(
                    ServiceValidation.invalid(
                        "spec.clusterIPs[0]", "\"\(requested)\"",
                        "provided IP is not in the valid range. The range of valid IPs is \(Self.ipRangeText)"))
            }
            if parsed != oldIP {
                guard !usedIPs.contains(parsed) else {
                    throw .invalid(
                        ServiceValidation.invalid(
                            "spec.clusterIPs[0]", "\"\(requested)\"", "provided IP is already allocated"))
                }
                plan.acquiredIPs.append(parsed)
            }
            ip = parsed
        }
        spec["clusterIP"] = .string(IPv4.format(ip))
        spec["clusterIPs"] = [.string(IPv4.format(ip))]
    }

    private mutating func freeIP() throws(ServiceAllocationFailure) -> UInt32 {
        let first = Self.kubernetesServiceIP + 1
        let last = Self.ipRange.upperBound - 1  // the broadcast address is not handed out
        let count = Int(last - first + 1)
        for _ in 0..<count {
            let candidate = nextIP
            nextIP = candidate >= last ? first : candidate + 1
            if !usedIPs.contains(candidate) { return candidate }
        }
        throw .exhausted("failed to allocate a serviceIP: range is full")
    }

    // MARK: - Node ports

    private mutating func planNodePorts(
        _ spec: inout JSONValue, old: JSONValue?, plan: inout ServiceAllocationPlan
    ) throws(ServiceAllocationFailure) {
        let type = spec["type"]?.stringValue ?? ServiceType.clusterIP
        let allocates = ServiceType.allocatesNodePorts(spec)
        let exposes = ServiceType.exposesNodePorts(type)
        let oldHeld = Set(old.map { ServicePorts(["spec": $0]).nodePorts } ?? [])
        var oldByPort: [String: Int] = [:]
        for port in old?["ports"]?.arrayValue ?? [] {
            if let nodePort = port["nodePort"]?.intValue, nodePort != 0, let number = port["port"]?.intValue {
                oldByPort["\(number)/\(port["protocol"]?.stringValue ?? "TCP")"] = Int(nodePort)
            }
        }

        var held: Set<Int> = []
        func claim(_ port: Int, field: String) throws(ServiceAllocationFailure) {
            guard Self.nodePortRange.contains(port) else {
                throw .invalid(
                    ServiceValidation.invalid(
                        field, "\(port)",
                        "provided port is not in the valid range. The range of valid ports is "
                            + "\(Self.nodePortRange.lowerBound)-\(Self.nodePortRange.upperBound)"))
            }
            guard held.insert(port).inserted else {
                throw .invalid(
                    Status.Cause(reason: "FieldValueDuplicate", message: "Duplicate value: \(port)", field: field))
            }
            guard oldHeld.contains(port) || !usedNodePorts.contains(port) else {
                throw .invalid(ServiceValidation.invalid(field, "\(port)", "provided port is already allocated"))
            }
        }

        var ports = spec["ports"]?.arrayValue ?? []
        var needingPort: [Int] = []
        for index in ports.indices {
            var nodePort = ports[index]["nodePort"]?.intValue.map(Int.init) ?? 0
            if nodePort == 0, exposes, let number = ports[index]["port"]?.intValue {
                nodePort = oldByPort["\(number)/\(ports[index]["protocol"]?.stringValue ?? "TCP")"] ?? 0
            }
            if nodePort != 0 {
                try claim(nodePort, field: "spec.ports[\(index)].nodePort")
                ports[index]["nodePort"] = .int(Int64(nodePort))
            } else if allocates {
                needingPort.append(index)
            }
        }
        var healthCheck = spec["healthCheckNodePort"]?.intValue.map(Int.init) ?? 0
        if ServiceType.needsHealthCheckNodePort(spec) {
            if healthCheck == 0 { healthCheck = old?["healthCheckNodePort"]?.intValue.map(Int.init) ?? 0 }
            if healthCheck != 0 { try claim(healthCheck, field: "spec.healthCheckNodePort") }
        } else if healthCheck != 0 {
            throw .invalid(
                ServiceValidation.invalid(
                    "spec.healthCheckNodePort", "\(healthCheck)",
                    "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
        }
        for index in needingPort {
            let port = try freeNodePort(excluding: held)
            held.insert(port)
            ports[index]["nodePort"] = .int(Int64(port))
        }
        if ServiceType.needsHealthCheckNodePort(spec), healthCheck == 0 {
            healthCheck = try freeNodePort(excluding: held)
            held.insert(healthCheck)
        }
        if healthCheck != 0 { spec["healthCheckNodePort"] = .int(Int64(healthCheck)) }
        if !ports.isEmpty { spec["ports"] = .array(ports) }
        plan.acquiredNodePorts = Array(held.subtracting(oldHeld))
        plan.releasedNodePorts = Array(oldHeld.subtracting(held))
    }

    /// Picks a free port without taking it; the cursor only moves so that successive Services get
    /// successive ports instead of re-scanning from the start.
    private mutating func freeNodePort(excluding pending: Set<Int>) throws(ServiceAllocationFailure) -> Int {
        for _ in 0..<Self.nodePortRange.count {
            let candidate = nextNodePort
            nextNodePort = candidate >= Self.nodePortRange.upperBound ? Self.nodePortRange.lowerBound : candidate + 1
            if !usedNodePorts.contains(candidate), !pending.contains(candidate) { return candidate }
        }
        throw .exhausted("failed to allocate a nodePort: range is full")
    }
}

/// What one Service write takes and gives back.
struct ServiceAllocationPlan: Sendable {
    var acquiredIPs: [UInt32] = []
    var releasedIPs: [UInt32] = []
    var acquiredNodePorts: [Int] = []
    var releasedNodePorts: [Int] = []
}

enum ServiceAllocationFailure: Error {
    /// The request asks for something it cannot have: 422.
    case invalid(Status.Cause)
    /// The range is used up: 500, as kube-apiserver answers.
    case exhausted(String)

    func status(_ type: ResourceType, name: String) -> Status {
        switch self {
        case .invalid(let cause): Status.invalid(type, name: name, causes: [cause])
        case .exhausted(let message):
            Status(code: 500, reason: .internalError, message: "Internal error occurred: \(message)")
        }
    }
}
