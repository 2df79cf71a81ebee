/// The most recent changes, oldest first, up to a limit.
///
/// `horizon` is the resourceVersion after which every change is still here: a watch or a consistent list
/// from a version at or after it can be served, anything older is 410 Expired.
struct ChangeHistory: Sendable {
    private var storage: [ChangeRecord?]
    private var head = 0
    private(set) var count = 0
    private(set) var horizon: UInt64
    let limit: Int

    init(limit: Int, horizon: UInt64) {
        self.limit = max(1, limit)
        self.horizon = horizon
        storage = []
    }

    mutating func append(_ record: ChangeRecord) {
        if storage.count < limit {
            storage.append(record)
            count += 1
            return
        }
        if let dropped = storage[head] { horizon = dropped.resourceVersion }
        storage[head] = record
        head = (head + 1) % limit
    }

    /// Forgets everything up to `resourceVersion`.
    mutating func removeAll(horizon newHorizon: UInt64) {
        storage = []
        head = 0
        count = 0
        horizon = newHorizon
    }

    func canServe(after resourceVersion: UInt64) -> Bool { resourceVersion >= horizon }

    private func record(at offset: Int) -> ChangeRecord? {
        storage[(head + offset) % storage.count]
    }

    /// Changes with a resourceVersion greater than `resourceVersion`, oldest first.
    func changes(after resourceVersion: UInt64) -> [ChangeRecord] {
        // Binary search: resourceVersions grow along the ring.
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if let record = record(at: middle), record.resourceVersion <= resourceVersion {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return (low..<count).compactMap { record(at: $0) }
    }
}
