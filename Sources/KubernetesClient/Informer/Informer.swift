import AsyncHTTPClient
import KubernetesModels
import Logging

/// List + watch of one resource as a sequence of `InformerEvent`s, with a cache the owner can read.
///
/// It runs inside the task that iterates it: no background task, so cancelling that task stops the
/// informer and closes its connection. Iterate it once; a second iterator would share the cache.
///
/// The order of business, modelled on client-go's reflector:
/// 1. list (paginated), diff against the cache, report the differences and `.synced`;
/// 2. watch from the list's resourceVersion; every event and BOOKMARK advances the resourceVersion;
/// 3. when the watch ends (server timeout, dropped connection, API server restart), watch again from the
///    last resourceVersion after a jittered backoff; nothing is missed and, thanks to the cache's
///    resourceVersion check, nothing is reported twice;
/// 4. on 410 Gone (HTTP or an ERROR event), the history is gone: list again (step 1), which reports the
///    deletions and changes that happened meanwhile.
public struct Informer<Object: Codable & ObjectMetadataReadable>: AsyncSequence, Sendable {
    public typealias Element = InformerEvent<Object>

    /// The mirrored objects, current as of the last event handed out (or about to be).
    public let cache: InformerCache<Object>
    let client: KubernetesClient
    let resource: ResourceDescriptor
    let namespace: String?
    let query: ListQuery
    let options: InformerOptions

    init(
        client: KubernetesClient, resource: ResourceDescriptor, namespace: String?, query: ListQuery,
        options: InformerOptions
    ) {
        self.cache = InformerCache()
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.query = query
        self.options = options
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(informer: self)
    }

    public struct Iterator: AsyncIteratorProtocol {
        typealias Watch = WatchEventSequence<HTTPClientResponse.Body, Object>.AsyncIterator

        private enum Phase {
            case list
            case watch
            case streaming(Watch, startedAt: Duration, sawEvent: Bool)
        }

        private let informer: Informer
        private var phase: Phase = .list
        private var pending: [InformerEvent<Object>] = []
        private var pendingIndex = 0
        private var resourceVersion = ""
        private var backoff: Backoff
        private var logger: Logger

        init(informer: Informer) {
            self.informer = informer
            self.backoff = informer.options.backoff
            self.logger = informer.client.logger
            self.logger[metadataKey: "resource"] = "\(informer.resource)"
        }

        public mutating func next() async throws -> InformerEvent<Object>? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> InformerEvent<Object>? {
            while true {
                if pendingIndex < pending.count {
                    defer { pendingIndex += 1 }
                    return pending[pendingIndex]
                }
                try Task.checkCancellation()
                switch phase {
                case .list:
                    try await relist(isolation: actor)
                case .watch:
                    try await startWatch(isolation: actor)
                case .streaming(var watch, let startedAt, let sawEvent):
                    // Take the iterator out of `phase` while it works, so its line buffer stays uniquely
                    // referenced and is not copied on write for every event.
                    phase = .watch
                    let event: WatchStreamEvent<Object>?
                    do {
                        event = try await watch.next(isolation: actor)
                    } catch {
                        try Task.checkCancellation()
                        logger.debug("watch connection failed", metadata: ["error": "\(error)"])
                        try await watchEnded(startedAt: startedAt, isolation: actor)
                        continue
                    }
                    guard let event else {
                        // The server ended the watch (its timeoutSeconds); resume at once if it was useful.
                        phase = .watch
                        if !sawEvent, informer.client.clock.now - startedAt < .seconds(1) {
                            try await watchEnded(startedAt: startedAt, isolation: actor)
                        } else {
                            backoff.noteHealthy(since: startedAt, now: informer.client.clock.now)
                        }
                        continue
                    }
                    phase = .streaming(watch, startedAt: startedAt, sawEvent: true)
                    if let change = try await handle(event, isolation: actor) { return change }
                }
            }
        }

        private mutating func relist(isolation actor: isolated (any Actor)?) async throws {
            do {
                let (items, listVersion) = try await informer.client.listAll(
                    informer.resource, namespace: informer.namespace, query: informer.query,
                    pageSize: informer.options.pageSize, as: Object.self)
                pending = await informer.cache.replace(with: items) + [.synced]
                pendingIndex = 0
                resourceVersion = listVersion
                phase = .watch
                logger.debug("listed", metadata: ["count": "\(items.count)", "resourceVersion": "\(listVersion)"])
            } catch {
                try Task.checkCancellation()
                let delay = backoff.nextDelay()
                logger.warning("list failed, retrying", metadata: ["error": "\(error)", "delay": "\(delay)"])
                try await informer.client.clock.sleep(for: delay)
            }
        }

        private mutating func startWatch(isolation actor: isolated (any Actor)?) async throws {
            do {
                let events = try await informer.client.watch(
                    informer.resource, namespace: informer.namespace, resourceVersion: resourceVersion,
                    query: informer.query, timeoutSeconds: Int.random(in: informer.options.watchTimeoutSeconds),
                    as: Object.self)
                phase = .streaming(events.makeAsyncIterator(), startedAt: informer.client.clock.now, sawEvent: false)
            } catch KubernetesClientError.expired {
                logger.info("resourceVersion \(resourceVersion) expired, listing again")
                phase = .list
            } catch {
                try Task.checkCancellation()
                let delay = backoff.nextDelay()
                logger.warning("watch failed, retrying", metadata: ["error": "\(error)", "delay": "\(delay)"])
                try await informer.client.clock.sleep(for: delay)
            }
        }

        /// After a dropped connection: wait (jittered, growing) and watch again from the last version.
        private mutating func watchEnded(startedAt: Duration, isolation actor: isolated (any Actor)?) async throws {
            phase = .watch
            backoff.noteHealthy(since: startedAt, now: informer.client.clock.now)
            let delay = backoff.nextDelay()
            logger.debug("watch ended, resuming", metadata: ["resourceVersion": "\(resourceVersion)", "delay": "\(delay)"])
            try await informer.client.clock.sleep(for: delay)
        }

        private mutating func handle(
            _ event: WatchStreamEvent<Object>, isolation actor: isolated (any Actor)?
        ) async throws -> InformerEvent<Object>? {
            switch event {
            case .added(let object), .modified(let object):
                advance(to: object.metadataResourceVersion)
                return await informer.cache.upsert(object)
            case .deleted(let object):
                advance(to: object.metadataResourceVersion)
                return await informer.cache.remove(object)
            case .bookmark(let version):
                advance(to: version)
                return nil
            case .error(let status):
                if status.code == 410 {
                    logger.info("watch expired (410), listing again", metadata: ["message": "\(status.message)"])
                    phase = .list
                } else {
                    logger.warning("watch error", metadata: ["code": "\(status.code)", "message": "\(status.message)"])
                    phase = .watch
                    try await informer.client.clock.sleep(for: backoff.nextDelay())
                }
                return nil
            }
        }

        private mutating func advance(to version: String?) {
            if let version, !version.isEmpty { resourceVersion = version }
        }
    }
}

extension KubernetesClient {
    /// An informer over `resource` (`namespace: nil` for all namespaces), decoding objects as `type`
    /// (a model, or `JSONValue` to keep every field).
    public func informer<T: Codable & ObjectMetadataReadable>(
        _ resource: ResourceDescriptor, namespace: String?, query: ListQuery = ListQuery(),
        options: InformerOptions = InformerOptions(), as type: T.Type = T.self
    ) -> Informer<T> {
        Informer(client: self, resource: resource, namespace: namespace, query: query, options: options)
    }
}
