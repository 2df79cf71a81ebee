import KubernetesClient
import KubernetesModels

/// Watches one resource in all namespaces from a given resourceVersion and hands every added or modified
/// object on, until cancelled.
///
/// The watch is opened before the first Service is created (from the version of a list taken just then), so
/// no change can slip between a list and the watch. The benchmark runs for seconds to minutes; should the
/// server end a watch anyway, it is reopened from the last version seen.
struct ResourceFollower: Sendable {
    let client: KubernetesClient
    let resource: ResourceDescriptor

    /// The resourceVersion to start watching from: "now".
    func currentVersion() async throws -> String {
        let page = try await client.list(resource, namespace: nil, query: ListQuery(limit: 1))
        return page.metadata.resourceVersion ?? ""
    }

    func follow(from version: String, _ handle: @Sendable (JSONValue) async -> Void) async throws {
        var version = version
        while !Task.isCancelled {
            let events = try await client.watch(
                resource, namespace: nil, resourceVersion: version, timeoutSeconds: 3_600, as: JSONValue.self)
            do {
                for try await event in events {
                    switch event {
                    case .added(let object), .modified(let object):
                        version = object.metadataResourceVersion ?? version
                        await handle(object)
                    case .deleted(let object):
                        version = object.metadataResourceVersion ?? version
                    case .bookmark(let resourceVersion):
                        version = resourceVersion
                    case .error(let status):
                        throw BenchmarkFailure.wrongResult("the watch of \(resource) ended with \(status)")
                    }
                }
            } catch is CancellationError {
                return
            } catch let failure as BenchmarkFailure {
                throw failure
            } catch {
                if Task.isCancelled { return }
                throw error
            }
        }
    }
}
