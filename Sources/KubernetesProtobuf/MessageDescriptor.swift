/// The shape of one protobuf message from k8s.io/api's `generated.proto`: field numbers, JSON names and
/// types. Decoding is driven by these tables, so supporting another kind is a matter of describing it.
struct MessageDescriptor: Sendable {
    let name: String
    let fields: [Int: FieldDescriptor]

    init(_ name: String, _ fields: [FieldDescriptor]) {
        self.name = name
        self.fields = Dictionary(fields.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

struct FieldDescriptor: Sendable {
    /// Whether a zero value is written to JSON. The Go types marshal non-pointer scalars to protobuf even
    /// when they are zero, and then drop them from JSON when tagged `omitempty`; this keeps that difference.
    enum Presence: Sendable {
        /// Go `omitempty` on a non-pointer field: `""`, `0` and `false` are left out.
        case omitEmpty
        /// A pointer field, or one without `omitempty`: written whenever it was sent.
        case always
    }

    let number: Int
    let name: String
    let type: FieldType
    let presence: Presence
}

indirect enum FieldType: Sendable {
    case string
    case bool
    case int32
    case int64
    /// `bytes`, written to JSON as base64 like Go's `[]byte`.
    case bytes
    case message(MessageDescriptor)
    /// `repeated` of the element type; absent when empty.
    case repeated(FieldType)
    /// `map<string, V>`: repeated entry messages `{1: key, 2: value}`.
    case map(FieldType)
    /// `intstr.IntOrString`: `{1: type, 2: intVal, 3: strVal}`, an integer or a string in JSON.
    case intOrString
    /// `meta.v1.Time`: `{1: seconds, 2: nanos}`, RFC 3339 with whole seconds in JSON; empty means unset.
    case time
    /// `resource.Quantity`: `{1: string}`, its string in JSON.
    case quantity

    var isVarint: Bool {
        switch self {
        case .bool, .int32, .int64: true
        default: false
        }
    }
}

/// Short constructors, so that a descriptor reads like the `.proto` it mirrors.
extension FieldDescriptor {
    static func string(_ number: Int, _ name: String, _ presence: Presence = .omitEmpty) -> FieldDescriptor {
        FieldDescriptor(number: number, name: name, type: .string, presence: presence)
    }

    static func bool(_ number: Int, _ name: String, _ presence: Presence = .omitEmpty) -> FieldDescriptor {
        FieldDescriptor(number: number, name: name, type: .bool, presence: presence)
    }

    static func int32(_ number: Int, _ name: String, _ presence: Presence = .omitEmpty) -> FieldDescriptor {
        FieldDescriptor(number: number, name: name, type: .int32, presence: presence)
    }

    static func int64(_ number: Int, _ name: String, _ presence: Presence = .omitEmpty) -> FieldDescriptor {
        FieldDescriptor(number: number, name: name, type: .int64, presence: presence)
    }

    static func message(_ number: Int, _ name: String, _ message: MessageDescriptor) -> FieldDescriptor {
        FieldDescriptor(number: number, name: name, type: .message(message), presence: .always)
    }

    static func repeated(_ number: Int, _ name: String, _ element: FieldType) -> FieldDescriptor {
        FieldDescriptor(number: number, name: name, type: .repeated(element), presence: .always)
    }

    static func map(_ number: Int, _ name: String, _ value: FieldType) -> FieldDescriptor {
        FieldDescriptor(number: number, name: name, type: .map(value), presence: .always)
    }

    static func intOrString(_ number: Int, _ name: String) -> FieldDescriptor {
        FieldDescriptor(number: number, name: name, type: .intOrString, presence: .always)
    }

    static func time(_ number: Int, _ name: String) -> FieldDescriptor {
        FieldDescriptor(number: number, name: name, type: .time, presence: .always)
    }
}
