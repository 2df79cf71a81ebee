/// Why a patch could not be applied, worded for the `message` of a 400/422 `Status`.
public struct PatchError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
