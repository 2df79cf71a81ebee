/// Why a `labelSelector` or `fieldSelector` query parameter was rejected; kube-apiserver answers 400 with it.
public struct SelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
