import KubernetesClient

/// Creates the scenario's Services as fast as the server accepts them: in j order, a fixed number in flight,
/// the next sent the moment one is answered.
struct ServiceCreator: Sendable {
    let client: KubernetesClient
    let count: Int
    let concurrency: Int

    /// Returns when the last create has been answered.
    func createAll() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(concurrency, count) {
                add(next, to: &group)
                next += 1
            }
            while try await group.next() != nil {
                if next < count {
                    add(next, to: &group)
                    next += 1
                }
            }
        }
    }

    private func add(_ j: Int, to group: inout ThrowingTaskGroup<Void, any Error>) {
        let client = client
        group.addTask {
            let (namespace, object) = OverlapLayout.service(j)
            _ = try await client.create(.services, namespace: namespace, object: object)
        }
    }
}
