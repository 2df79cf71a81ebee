import Foundation
import KubernetesModels
import Logging

/// Posts core/v1 Events about objects, the way `kubectl describe` expects to find them.
///
/// Two behaviours copied from client-go, because a controller touching thousands of Services can otherwise
/// flood the API server with Events:
/// - **Aggregation.** Repeats of the same (object, type, reason, message) update one Event's `count` and
///   `lastTimestamp` with a merge patch instead of creating a new Event each time.
/// - **Spam filter.** Each object gets a token bucket of 25 Events, refilled at one per 5 minutes
///   (client-go's `EventSourceObjectSpamFilter` numbers). Events over the limit are dropped and logged at
///   debug level: an Event is a hint to humans, never worth delaying reconciliation for.
///
/// Recording never throws; failures are logged.
public actor EventRecorder {
    public enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    public struct Configuration: Sendable {
        /// `source.component` and `reportingComponent`, e.g. `kube-vip-cloud-provider`.
        public var component: String
        /// `source.host` and `reportingInstance`, e.g. the node name.
        public var host: String?
        public var burst: Int
        public var refillInterval: Duration
        /// How many aggregation and spam-filter entries to remember before forgetting the least recent.
        public var cacheSize: Int

        public init(
            component: String, host: String? = nil, burst: Int = 25, refillInterval: Duration = .seconds(300),
            cacheSize: Int = 4096
        ) {
            self.component = component
            self.host = host
            self.burst = burst
            self.refillInterval = refillInterval
            self.cacheSize = cacheSize
        }
    }

    private struct AggregationKey: Hashable {
        var object: ObjectKey
        var kind: String
        var uid: String
        var type: EventType
        var reason: String
        var message: String
    }

    private struct Aggregate: RecentlyUsed {
        var eventName: String
        var namespace: String
        var count: Int
        var lastUsed: Duration
    }

    private struct SpamBucket: RecentlyUsed {
        var bucket: TokenBucket
        var lastUsed: Duration
    }

    private let client: KubernetesClient
    private let configuration: Configuration
    private let clock: ClientClock
    private let wallClock: @Sendable () -> Date
    private let logger: Logger
    private var aggregates: [AggregationKey: Aggregate] = [:]
    private var spamFilter: [ObjectKey: SpamBucket] = [:]

    /// - Parameter wallClock: the time written into `firstTimestamp`/`lastTimestamp` (injectable for tests;
    ///   rate limiting uses `clock`).
    public init(
        client: KubernetesClient, configuration: Configuration, clock: ClientClock = .continuous,
        wallClock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "event-recorder")
    ) {
        self.client = client
        self.configuration = configuration
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
    }

    /// Records an Event about `object`. Returns whether it was written (false when the spam filter dropped
    /// it or the API server refused it).
    @discardableResult
    public func record(
        _ object: ObjectReference, type: EventType, reason: String, message: String
    ) async -> Bool {
        guard let name = object.name else {
            logger.warning("event for an object without a name dropped", metadata: ["reason": "\(reason)"])
            return false
        }
        let objectKey = ObjectKey(namespace: object.namespace, name: "\(object.kind ?? "")/\(name)")
        let now = clock.now
        guard admit(objectKey, now: now) else {
            logger.debug("event rate limited", metadata: ["object": "\(objectKey)", "reason": "\(reason)"])
            return false
        }
        let key = AggregationKey(
            object: objectKey, kind: object.kind ?? "", uid: object.uid ?? "", type: type, reason: reason,
            message: message)
        let timestamp = Timestamp(wallClock())

        if var aggregate = aggregates[key] {
            aggregate.count += 1
            aggregate.lastUsed = now
            aggregates[key] = aggregate
            let patch: JSONValue = ["count": .int(Int64(aggregate.count)), "lastTimestamp": .string(timestamp.description)]
            do {
                _ = try await client.patch(
                    .events, namespace: aggregate.namespace, name: aggregate.eventName, type: .merge, patch: patch)
                return true
            } catch KubernetesClientError.notFound {
                // The Event expired on the server (its TTL is one hour); start a new one.
                aggregates[key] = nil
            } catch {
                logger.warning("event update failed", metadata: ["event": "\(aggregate.eventName)", "error": "\(error)"])
                return false
            }
        }
        return await create(key: key, object: object, name: name, type: type, reason: reason, message: message,
            timestamp: timestamp, now: now)
    }

    private func create(
        key: AggregationKey, object: ObjectReference, name: String, type: EventType, reason: String,
        message: String, timestamp: Timestamp, now: Duration
    ) async -> Bool {
        let namespace = object.namespace ?? "default"
        let nanoseconds = UInt64(max(0, wallClock().timeIntervalSince1970 * 1e9))
        let eventName = "\(name).\(String(nanoseconds, radix: 16))"
        let event = Event(
            metadata: ObjectMeta(name: eventName, namespace: namespace), involvedObject: object, reason: reason,
            message: message, type: type.rawValue, count: 1, firstTimestamp: timestamp, lastTimestamp: timestamp,
            source: EventSource(component: configuration.component, host: configuration.host),
            reportingComponent: configuration.component, reportingInstance: configuration.host)
        do {
            _ = try await client.create(.events, namespace: namespace, event)
        } catch {
            logger.warning("event creation failed", metadata: ["reason": "\(reason)", "error": "\(error)"])
            return false
        }
        aggregates[key] = Aggregate(eventName: eventName, namespace: namespace, count: 1, lastUsed: now)
        trim(&aggregates, now: now)
        return true
    }

    private func admit(_ key: ObjectKey, now: Duration) -> Bool {
        var entry = spamFilter[key] ?? SpamBucket(
            bucket: TokenBucket(
                rate: 1 / max(configuration.refillInterval.seconds, 0.001), burst: configuration.burst, now: now),
            lastUsed: now)
        let admitted = entry.bucket.tryTake(at: now)
        entry.lastUsed = now
        spamFilter[key] = entry
        trim(&spamFilter, now: now)
        return admitted
    }

    /// Keeps memory bounded: past `cacheSize`, forget the least recently used tenth.
    private func trim<Key, Value: RecentlyUsed>(_ table: inout [Key: Value], now: Duration) {
        guard table.count > configuration.cacheSize else { return }
        let victims = table.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(max(1, table.count / 10))
        for victim in victims { table[victim.key] = nil }
    }
}

private protocol RecentlyUsed {
    var lastUsed: Duration { get }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension ObjectReference {
    /// A reference to a typed object, for `EventRecorder.record`.
    public init(_ object: some KubernetesObject, apiVersion: String, kind: String) {
        self.init(
            apiVersion: apiVersion, kind: kind, namespace: object.metadata.namespace, name: object.metadata.name,
            uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion)
    }
}
