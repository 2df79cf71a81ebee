import KubernetesModels

/// The columns kube-apiserver's printers define for the kinds this server stores; other kinds get NAME, AGE.
enum KindColumns {
    static func columns(resource: String, group: String) -> [TableColumn] {
        switch (group, resource) {
        case ("", "services"): return services
        case ("", "configmaps"): return [name, dataCount, age]
        case ("", "namespaces"): return [name, namespacePhase, age]
        case ("coordination.k8s.io", "leases"): return [name, leaseHolder, age]
        case ("apps", "deployments"): return deployments
        case ("discovery.k8s.io", "endpointslices"): return endpointSlices
        case ("", "events"): return events(message: ["message"], object: "involvedObject")
        case ("events.k8s.io", "events"): return events(message: ["note"], object: "regarding")
        default: return [name, age]
        }
    }

    static let name = TableColumn(
        "Name", format: "name", description: "Name must be unique within a namespace."
    ) { .string($0.string("metadata", "name") ?? "") }

    static let age = TableColumn(
        "Age", description: "CreationTimestamp is a timestamp representing the server time when this object was created."
    ) { .string($0.age()) }

    // MARK: Services

    static let services: [TableColumn] = [
        name,
        TableColumn("Type", description: "Determines how the Service is exposed.") {
            .string($0.string("spec", "type") ?? "ClusterIP")
        },
        TableColumn("Cluster-IP", description: "The IP address of the service inside the cluster.") {
            let clusterIP = $0.string("spec", "clusterIP") ?? ""
            return .string(clusterIP.isEmpty ? "<none>" : clusterIP)
        },
        TableColumn("External-IP", description: "External addresses of the service.") {
            .string(ServiceCells.externalIP($0.object))
        },
        TableColumn("Port(s)", description: "The ports exposed by this service.") {
            .string(ServiceCells.ports($0.object))
        },
        age,
        TableColumn("Selector", priority: 1, description: "Route service traffic to pods with matching labels.") {
            let selector = $0.object[path: "spec", "selector"]?.objectValue ?? [:]
            let pairs = selector.keys.sorted().map { "\($0)=\(selector[$0]?.stringValue ?? "")" }
            return .string(pairs.isEmpty ? "<none>" : pairs.joined(separator: ","))
        },
    ]

    // MARK: ConfigMaps, Namespaces, Leases

    static let dataCount = TableColumn("Data", type: "integer", description: "Number of entries in data.") {
        let data = $0.object["data"]?.objectValue?.count ?? 0
        let binary = $0.object["binaryData"]?.objectValue?.count ?? 0
        return .int(Int64(data + binary))
    }

    static let namespacePhase = TableColumn("Status", description: "The status of the namespace.") {
        .string($0.string("status", "phase") ?? "")
    }

    static let leaseHolder = TableColumn("Holder", description: "The holder of the lease.") {
        .string($0.string("spec", "holderIdentity") ?? "")
    }

    // MARK: Deployments

    static let deployments: [TableColumn] = [
        name,
        TableColumn("Ready", description: "Number of ready replicas of the desired ones.") {
            let ready = $0.object[path: "status", "readyReplicas"]?.intValue ?? 0
            let desired = $0.object[path: "spec", "replicas"]?.intValue ?? 1
            return .string("\(ready)/\(desired)")
        },
        TableColumn("Up-to-date", type: "integer", description: "Replicas updated to the current template.") {
            .int($0.object[path: "status", "updatedReplicas"]?.intValue ?? 0)
        },
        TableColumn("Available", type: "integer", description: "Replicas available to serve.") {
            .int($0.object[path: "status", "availableReplicas"]?.intValue ?? 0)
        },
        age,
    ]

    // MARK: EndpointSlices

    static let endpointSlices: [TableColumn] = [
        name,
        TableColumn("AddressType", description: "The type of address carried by this slice.") {
            .string($0.string("addressType") ?? "")
        },
        TableColumn("Ports", description: "Network ports exposed by the endpoints.") {
            let ports = $0.object["ports"]?.arrayValue ?? []
            guard !ports.isEmpty else { return "<unset>" }
            return .string(ports.map { $0["port"]?.intValue.map(String.init) ?? "<unset>" }.joined(separator: ","))
        },
        TableColumn("Endpoints", description: "The first addresses of the endpoints.") {
            let addresses = ($0.object["endpoints"]?.arrayValue ?? []).flatMap {
                ($0["addresses"]?.arrayValue ?? []).compactMap(\.stringValue)
            }
            guard !addresses.isEmpty else { return "<unset>" }
            let shown = addresses.prefix(3).joined(separator: ",")
            return .string(addresses.count > 3 ? "\(shown) + \(addresses.count - 3) more..." : shown)
        },
        age,
    ]

    // MARK: Events

    static func events(message: [String], object: String) -> [TableColumn] {
        [
            TableColumn("Last Seen", description: "Time since the event was last observed.") { context in
                for field in [["lastTimestamp"], ["eventTime"], ["series", "lastObservedTime"]]
                where context.object.value(at: field[...])?.stringValue != nil {
                    return .string(context.age(since: field))
                }
                return .string(context.age())
            },
            TableColumn("Type", description: "Normal or Warning.") { .string($0.string("type") ?? "") },
            TableColumn("Reason", description: "Why the event was emitted.") { .string($0.string("reason") ?? "") },
            TableColumn("Object", description: "The object the event is about.") {
                let kind = $0.string(object, "kind") ?? ""
                let name = $0.string(object, "name") ?? ""
                return .string("\(kind.lowercased())/\(name)")
            },
            TableColumn("Message", description: "A human-readable description.") {
                .string($0.object.value(at: message[...])?.stringValue ?? "")
            },
        ]
    }
}

/// Service cells with kubectl's wording.
enum ServiceCells {
    /// Load-balancer ingress (or `<pending>` while none is assigned) plus `spec.externalIPs`.
    static func externalIP(_ service: JSONValue) -> String {
        let externalIPs = (service[path: "spec", "externalIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
        switch service[path: "spec", "type"]?.stringValue ?? "ClusterIP" {
        case "LoadBalancer":
            let ingress = (service[path: "status", "loadBalancer", "ingress"]?.arrayValue ?? []).compactMap {
                $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue
            }
            let all = ingress + externalIPs
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        case "ExternalName":
            return service[path: "spec", "externalName"]?.stringValue ?? "<none>"
        default:
            return externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        }
    }

    /// `80:30002/TCP,443/TCP`; `<none>` without ports.
    static func ports(_ service: JSONValue) -> String {
        let ports = service[path: "spec", "ports"]?.arrayValue ?? []
        guard !ports.isEmpty else { return "<none>" }
        return ports.map { port in
            let number = port["port"]?.intValue ?? 0
            let proto = port["protocol"]?.stringValue ?? "TCP"
            if let nodePort = port["nodePort"]?.intValue, nodePort != 0 {
                return "\(number):\(nodePort)/\(proto)"
            }
            return "\(number)/\(proto)"
        }.joined(separator: ",")
    }
}
