import Foundation
import KubernetesModels

/// A `meta.k8s.io/v1` Table: what `kubectl get` prints, computed on the server as kube-apiserver does, so
/// that kubectl shows the same columns (`TYPE CLUSTER-IP EXTERNAL-IP PORT(S)` for Services) as on a cluster.
struct ResourceTable: Sendable {
    /// What each row carries besides its cells (`?includeObject=`); kube-apiserver's default is `Metadata`.
    enum IncludeObject: Sendable, Equatable {
        case none
        case metadata
        case object

        init(parameter: String?) {
            switch parameter {
            case "None": self = .none
            case "Object": self = .object
            default: self = .metadata
            }
        }
    }

    var columns: [TableColumn]
    var includeObject: IncludeObject
    /// The moment ages are measured from; injected so tests can pin it.
    var now: Date

    init(resource: String, group: String, includeObject: IncludeObject = .metadata, now: Date = Date()) {
        self.columns = KindColumns.columns(resource: resource, group: group)
        self.includeObject = includeObject
        self.now = now
    }

    func table(for objects: [JSONValue], resourceVersion: String?, continueToken: String? = nil) -> JSONValue {
        var metadata: JSONValue = [:]
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        if let continueToken, !continueToken.isEmpty { metadata["continue"] = .string(continueToken) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": .array(columns.map(\.definition)), "rows": .array(objects.map(row)),
        ]
    }

    func row(for object: JSONValue) -> JSONValue {
        let context = CellContext(object: object, now: now)
        var row: JSONValue = ["cells": .array(columns.map { $0.cell(context) })]
        switch includeObject {
        case .none: break
        case .object: row["object"] = object
        case .metadata:
            row["object"] = [
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                "metadata": object["metadata"] ?? [:],
            ]
        }
        return row
    }
}

/// One column: its definition as sent to the client and how to compute a cell.
struct TableColumn: Sendable {
    var name: String
    var type: String
    var format: String
    var description: String
    var priority: Int
    var cell: @Sendable (CellContext) -> JSONValue

    init(
        _ name: String, type: String = "string", format: String = "", priority: Int = 0, description: String,
        cell: @escaping @Sendable (CellContext) -> JSONValue
    ) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
        self.cell = cell
    }

    var definition: JSONValue {
        [
            "name": .string(name), "type": .string(type), "format": .string(format),
            "description": .string(description), "priority": .int(Int64(priority)),
        ]
    }
}

/// What a cell is computed from.
struct CellContext: Sendable {
    var object: JSONValue
    var now: Date

    func string(_ keys: String...) -> String? { object.value(at: keys[...])?.stringValue }

    /// Age since a timestamp field, `<unknown>` when it is missing or unreadable (as kubectl prints it).
    func age(since keys: [String] = ["metadata", "creationTimestamp"]) -> String {
        guard let text = object.value(at: keys[...])?.stringValue, let date = Self.parseTimestamp(text) else {
            return "<unknown>"
        }
        return HumanAge.format(seconds: now.timeIntervalSince(date))
    }

    static func parseTimestamp(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
