import KubernetesModels

/// core/v1 Service validation: the checks a client can trip over, worded like kube-apiserver.
enum ServiceValidation {
    static func causes(_ spec: JSONValue) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        let type = spec["type"]?.stringValue ?? ServiceType.clusterIP
        if !ServiceType.all.contains(type) {
            causes.append(notSupported("spec.type", type, ServiceType.all))
        }
        let clusterIP = spec["clusterIP"]?.stringValue ?? ""
        let headless = clusterIP == "None"
        let ports = spec["ports"]?.arrayValue ?? []
        if ports.isEmpty, !headless, type != ServiceType.externalName {
            causes.append(Status.Cause(reason: "FieldValueRequired", message: "Required value", field: "spec.ports"))
        }
        causes += portCauses(ports, type: type)
        if type == ServiceType.externalName {
            if (spec["externalName"]?.stringValue ?? "").isEmpty {
                causes.append(
                    Status.Cause(reason: "FieldValueRequired", message: "Required value", field: "spec.externalName"))
            }
            if !clusterIP.isEmpty {
                causes.append(
                    invalid(
                        "spec.clusterIPs", "[]string{\"\(clusterIP)\"}", "must be empty for ExternalName services"))
            }
        } else if !clusterIP.isEmpty, !headless, IPv4.parse(clusterIP) == nil {
            causes.append(
                invalid(
                    "spec.clusterIPs[0]", "\"\(clusterIP)\"",
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
        }
        if let affinity = spec["sessionAffinity"]?.stringValue, !["None", "ClientIP"].contains(affinity) {
            causes.append(notSupported("spec.sessionAffinity", affinity, ["ClientIP", "None"]))
        }
        if let policy = spec["externalTrafficPolicy"]?.stringValue {
            if !ServiceType.exposesNodePorts(type) {
                causes.append(
                    invalid(
                        "spec.externalTrafficPolicy", "\"\(policy)\"",
                        "may only be set when `type` is 'NodePort' or 'LoadBalancer'"))
            } else if !["Cluster", "Local"].contains(policy) {
                causes.append(notSupported("spec.externalTrafficPolicy", policy, ["Cluster", "Local"]))
            }
        }
        if let policy = spec["internalTrafficPolicy"]?.stringValue, !["Cluster", "Local"].contains(policy) {
            causes.append(notSupported("spec.internalTrafficPolicy", policy, ["Cluster", "Local"]))
        }
        if let policy = spec["ipFamilyPolicy"]?.stringValue {
            if !["SingleStack", "PreferDualStack", "RequireDualStack"].contains(policy) {
                causes.append(
                    notSupported("spec.ipFamilyPolicy", policy, ["PreferDualStack", "RequireDualStack", "SingleStack"]))
            } else if policy == "RequireDualStack" {
                causes.append(
                    invalid(
                        "spec.ipFamilyPolicy", "\"\(policy)\"", "this cluster is not configured for dual-stack services"
                    ))
            }
        }
        for (index, family) in (spec["ipFamilies"]?.arrayValue ?? []).enumerated() {
            let text = family.stringValue ?? family.serializedText
            if text == "IPv6" {
                causes.append(invalid("spec.ipFamilies[\(index)]", "\"IPv6\"", "not configured on this cluster"))
            } else if text != "IPv4" {
                causes.append(notSupported("spec.ipFamilies[\(index)]", text, ["IPv4", "IPv6"]))
            }
        }
        return causes
    }

    private static func portCauses(_ ports: [JSONValue], type: String) -> [Status.Cause] {
        var causes: [Status.Cause] = []
        var names: Set<String> = []
        var numbers: Set<String> = []
        for (index, port) in ports.enumerated() {
            let field = "spec.ports[\(index)]"
            let name = port["name"]?.stringValue ?? ""
            if ports.count > 1, name.isEmpty {
                causes.append(
                    Status.Cause(reason: "FieldValueRequired", message: "Required value", field: "\(field).name"))
            }
            if !name.isEmpty, !names.insert(name).inserted {
                causes.append(
                    Status.Cause(
                        reason: "FieldValueDuplicate", message: "Duplicate value: \"\(name)\"", field: "\(field).name"))
            }
            let protocolName = port["protocol"]?.stringValue ?? "TCP"
            if !["TCP", "UDP", "SCTP"].contains(protocolName) {
                causes.append(notSupported("\(field).protocol", protocolName, ["SCTP", "TCP", "UDP"]))
            }
            if let number = port["port"] {
                if let value = number.intValue, (1...65535).contains(value) {
                    if !numbers.insert("\(value)/\(protocolName)").inserted {
                        causes.append(
                            Status.Cause(
                                reason: "FieldValueDuplicate",
                                message:
                                    "Duplicate value: core.ServicePort{Port:\(value), Protocol:\"\(protocolName)\"}",
                                field: field))
                    }
                } else {
                    causes.append(
                        invalid("\(field).port", number.serializedText, "must be between 1 and 65535, inclusive"))
                }
            } else {
                causes.append(
                    Status.Cause(reason: "FieldValueRequired", message: "Required value", field: "\(field).port"))
            }
            switch port["targetPort"] {
            case .some(.int(let value)) where !(1...65535).contains(value):
                causes.append(invalid("\(field).targetPort", "\(value)", "must be between 1 and 65535, inclusive"))
            case .some(.string(let text)) where text.isEmpty || text.utf8.count > 15:
                causes.append(
                    invalid("\(field).targetPort", "\"\(text)\"", "must be no more than 15 characters and not empty"))
            default: break
            }
            if let nodePort = port["nodePort"]?.intValue, nodePort != 0, !ServiceType.exposesNodePorts(type) {
                causes.append(
                    Status.Cause(
                        reason: "FieldValueForbidden",
                        message: "Forbidden: may not be used when `type` is '\(type)'", field: "\(field).nodePort"))
            }
        }
        return causes
    }

    static func invalid(_ field: String, _ value: String, _ detail: String) -> Status.Cause {
        Status.Cause(reason: "FieldValueInvalid", message: "Invalid value: \(value): \(detail)", field: field)
    }

    static func notSupported(_ field: String, _ value: String, _ supported: [String]) -> Status.Cause {
        Status.Cause(
            reason: "FieldValueNotSupported",
            message: "Unsupported value: \"\(value)\": supported values: "
                + supported.map { "\"\($0)\"" }.joined(separator: ", "),
            field: field)
    }
}
