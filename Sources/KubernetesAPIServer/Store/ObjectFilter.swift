import KubernetesModels

/// Which objects a list or watch wants: a namespace (or all) and the selectors.
struct ObjectFilter: Sendable {
    var namespace: String?
    var labelSelector: LabelSelector
    var fieldSelector: FieldSelector?

    init(namespace: String?, options: ListOptions) {
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        labelSelector = options.labelSelector
        fieldSelector = options.fieldSelector
    }

    func includes(_ key: StorageKey) -> Bool {
        namespace.map { $0 == key.namespace } ?? true
    }

    func matches(_ object: JSONValue) -> Bool {
        labelSelector.matches(object.metadataLabels) && (fieldSelector?.matches(object) ?? true)
    }

    /// What a watcher with this filter sees of a change, if anything. An object that stops matching
    /// arrives as DELETED and one that starts matching as ADDED, as kube-apiserver's watch cache does.
    func event(for change: ChangeRecord) -> StoreEvent? {
        guard includes(change.key) else { return nil }
        switch change.kind {
        case .added:
            return matches(change.object) ? StoreEvent(kind: .added, object: change.object) : nil
        case .deleted:
            return matches(change.object) ? StoreEvent(kind: .deleted, object: change.object) : nil
        case .modified:
            let now = matches(change.object)
            let before = change.previous.map(matches) ?? false
            switch (before, now) {
            case (true, true): return StoreEvent(kind: .modified, object: change.object)
            case (false, true): return StoreEvent(kind: .added, object: change.object)
            case (true, false):
                var last = change.previous ?? change.object
                last[path: "metadata", "resourceVersion"] = .string(String(change.resourceVersion))
                return StoreEvent(kind: .deleted, object: last)
            case (false, false): return nil
            }
        }
    }
}
