import KubernetesModels

extension StoreCore {
    mutating func watch(_ type: ResourceType, namespace: String?, options: ListOptions) throws(Status)
        -> AsyncStream<StoreEvent>
    {
        guard !closed else {
            throw Status(code: 503, reason: .serviceUnavailable, message: "the object store is closed")
        }
        let filter = ObjectFilter(namespace: namespace, options: options)
        let start = try ResourceVersionParameter(options.resourceVersion)
        var initial: [StoreEvent] = []
        let sendsInitialState: Bool
        switch (options.sendInitialEvents, start) {
        case (.some(let requested), _): sendsInitialState = requested
        case (nil, .latest), (nil, .any): sendsInitialState = true
        case (nil, .exactly): sendsInitialState = false
        }
        if sendsInitialState {
            let objects = table(type)
            for key in objects.keys.sorted() where filter.includes(key) {
                if let object = objects[key], filter.matches(object) {
                    initial.append(StoreEvent(kind: .added, object: object))
                }
            }
            if options.sendInitialEvents == true, options.allowWatchBookmarks {
                initial.append(Watcher.bookmark(for: type, resourceVersion: resourceVersion, initialEventsEnd: true))
            }
        } else if case .exactly(let version) = start {
            guard history.canServe(after: version) else {
                throw Status.tooOldResourceVersion(version, oldest: history.horizon + 1)
            }
            let resourceKey = ResourceKey(type)
            for change in history.changes(after: version) where change.type == resourceKey {
                if let event = filter.event(for: change) { initial.append(event) }
            }
        }

        let capacity = initial.count + max(1, configuration.watchBufferLimit)
        let (stream, continuation) = AsyncStream.makeStream(
            of: StoreEvent.self, bufferingPolicy: .bufferingOldest(capacity))
        let termination = WatchTermination()
        continuation.onTermination = { _ in termination.markEnded() }
        var startsAfter: UInt64 = 0
        if case .exactly(let version) = start, !sendsInitialState { startsAfter = version }
        let watcher = Watcher(
            type: type, filter: filter, allowBookmarks: options.allowWatchBookmarks, continuation: continuation,
            startsAfter: startsAfter, termination: termination)
        for event in initial {
            guard watcher.send(event) == .delivered else { return stream }
        }
        let id = nextWatcherID
        nextWatcherID += 1
        forgetEndedWatchers()
        watchers[ResourceKey(type), default: [:]][id] = watcher
        return stream
    }

    /// Drops watchers whose consumers have gone, so that a kind without writes does not collect them.
    private mutating func forgetEndedWatchers() {
        for (resourceKey, group) in watchers {
            let ended = group.filter { $0.value.termination.hasEnded }.keys
            for id in ended { watchers[resourceKey]?[id] = nil }
        }
    }

    var openWatchCount: Int { watchers.values.reduce(0) { $0 + $1.count } }

    /// Delivers a change to the watchers of its type, dropping watchers whose stream has ended: their
    /// consumer went away or fell too far behind (see `ObjectStore`).
    mutating func notifyWatchers(of change: ChangeRecord) {
        guard let interested = watchers[change.type], !interested.isEmpty else { return }
        var ended: [Int] = []
        for (id, watcher) in interested where change.resourceVersion > watcher.startsAfter {
            guard let event = watcher.filter.event(for: change) else { continue }
            if watcher.send(event) == .ended { ended.append(id) }
        }
        for id in ended {
            watchers[change.type]?[id] = nil
            logger.debug(
                "Watch of \(change.type) ended: consumer gone or \(configuration.watchBufferLimit) events behind")
        }
    }

    mutating func emitBookmarks() {
        for (resourceKey, group) in watchers {
            for (id, watcher) in group where watcher.allowBookmarks && watcher.startsAfter <= resourceVersion {
                let bookmark = Watcher.bookmark(for: watcher.type, resourceVersion: resourceVersion)
                if watcher.send(bookmark) == .ended { watchers[resourceKey]?[id] = nil }
            }
        }
    }

    mutating func closeAllWatches() {
        for group in watchers.values {
            for watcher in group.values { watcher.continuation.finish() }
        }
        watchers = [:]
    }
}
