extension UPnPError {
    public static let invalidAction = 401
    public static let wildCardNotPermittedInSourceIP = 715
    public static let wildCardNotPermittedInExternalPort = 716
    public static let remoteHostOnlySupportsWildcard = 726
    public static let externalPortOnlySupportsWildcard = 727
    public static let noPortMapsAvailable = 728
    public static let conflictWithOtherMechanisms = 729
    public static let wildCardNotPermittedInInternalPort = 732

    /// The error's name in the UPnP specifications (`ConflictInMappingEntry`), when the code is a known one.
    public var name: String? { Self.table[code]?.name }

    /// What the error means for a port mapping, in words an operator can act on; the node agent puts it
    /// in Warning Events. Unknown codes fall back to the gateway's own text.
    public var meaning: String {
        if let entry = Self.table[code] {
            return "\(entry.meaning) (UPnP error \(code) \(entry.name))"
        }
        let text = self.text.trimmingASCIIWhitespace
        return text.isEmpty
            ? "the gateway refused the request (UPnP error \(code))"
            : "the gateway refused the request: \(text) (UPnP error \(code))"
    }

    private static let table: [Int: (name: String, meaning: String)] = [
        401: ("InvalidAction", "the gateway does not offer this action"),
        402: ("InvalidArgs", "the gateway rejected the request's arguments"),
        501: (
            "ActionFailed",
            "the gateway failed to carry out the request (often: it has no usable external address, or its firewall could not be updated)"
        ),
        606: (
            "Action not authorized",
            "the gateway does not allow this mapping (its UPnP permission rules exclude this port or client, or UPnP changes are disabled)"
        ),
        713: ("SpecifiedArrayIndexInvalid", "the gateway has no port mapping at that index"),
        714: ("NoSuchEntryInArray", "the gateway has no such port mapping"),
        715: ("WildCardNotPermittedInSrcIP", "the gateway requires a specific remote host instead of any"),
        716: ("WildCardNotPermittedInExtPort", "the gateway requires a specific external port"),
        718: (
            "ConflictInMappingEntry",
            "the external port is already mapped to another client on the gateway"
        ),
        724: ("SamePortValuesRequired", "the gateway only maps an external port to the same internal port"),
        725: ("OnlyPermanentLeasesSupported", "the gateway only accepts permanent mappings (lease duration 0)"),
        726: ("RemoteHostOnlySupportsWildcard", "the gateway only accepts any remote host (an empty remote host)"),
        727: ("ExternalPortOnlySupportsWildcard", "the gateway only accepts any external port"),
        728: ("NoPortMapsAvailable", "the gateway has no free port mappings left"),
        729: (
            "ConflictWithOtherMechanisms",
            "the mapping conflicts with another mechanism on the gateway (a static forwarding rule, or a port the gateway uses itself)"
        ),
        732: ("WildCardNotPermittedInIntPort", "the gateway requires a specific internal port"),
    ]
}
