import KubernetesModels

/// The optional `DeleteOptions` body of a DELETE: preconditions and dry-run are honoured; propagation policy
/// and grace period mean nothing here because deletion is immediate and there is no garbage collector.
struct DeleteOptionsBody: Sendable, Equatable {
    var preconditionResourceVersion: String?
    var preconditionUID: String?
    var dryRun = false

    init(preconditionResourceVersion: String? = nil, preconditionUID: String? = nil, dryRun: Bool = false) {
        self.preconditionResourceVersion = preconditionResourceVersion
        self.preconditionUID = preconditionUID
        self.dryRun = dryRun
    }

    /// An empty body means no options. A non-JSON body (a protobuf DeleteOptions) is read as no options too:
    /// it can only carry preconditions, which kubectl never sends in that form.
    init(_ bytes: [UInt8], contentType: String?) throws(Status) {
        guard !bytes.isEmpty else { return }
        let format = contentType.map { MediaType(parsing: $0[...]).type } ?? "application/json"
        guard format == "application/json" || format.isEmpty else { return }
        let options = try RequestBodyDecoder.json(bytes)
        preconditionResourceVersion = options[path: "preconditions", "resourceVersion"]?.stringValue
        preconditionUID = options[path: "preconditions", "uid"]?.stringValue
        dryRun = options["dryRun"]?.arrayValue?.contains(.string("All")) ?? false
    }
}
