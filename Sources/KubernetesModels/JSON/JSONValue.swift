/// A JSON document held as a value.
///
/// Kubernetes objects travel through this project as `JSONValue`s rather than only as typed structs so that a
/// read-modify-write never drops a field we do not model, and so that the embedded API server can store any
/// kind without a schema. Integers and floating-point numbers are kept apart because Kubernetes fields such as
/// ports and resource versions are integers and must be written back without a fraction.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    /// The member `key` of an object; `nil` for a missing member and for anything that is not an object.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let members) = self else { return nil }
            return members[key]
        }
        set {
            guard case .object(var members) = self else {
                if let newValue { self = .object([key: newValue]) }
                return
            }
            self = .null  // drop the reference so the dictionary below is uniquely owned and mutates in place
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The value at a path of object keys, e.g. `object[path: "metadata", "name"]`.
    public subscript(path keys: String...) -> JSONValue? {
        get { value(at: keys[...]) }
        set { setValue(newValue, at: keys[...]) }
    }

    public func value(at keys: ArraySlice<String>) -> JSONValue? {
        guard let first = keys.first else { return self }
        return self[first]?.value(at: keys.dropFirst())
    }

    /// Sets the value at a path, creating intermediate objects; `nil` removes the last key.
    public mutating func setValue(_ newValue: JSONValue?, at keys: ArraySlice<String>) {
        guard let first = keys.first else {
            self = newValue ?? .null
            return
        }
        if keys.count == 1 {
            self[first] = newValue
            return
        }
        var child = self[first] ?? .object([:])
        if case .object = child {} else { child = .object([:]) }
        self[first] = nil  // uniquely own the child while it is edited
        child.setValue(newValue, at: keys.dropFirst())
        self[first] = child
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The integer value, also for a double without a fraction (JSON has one number type).
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9.2e18: return Int64(value)
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
