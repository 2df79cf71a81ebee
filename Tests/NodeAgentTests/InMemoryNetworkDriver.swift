import KubernetesClient
import NetworkAddresses
import NetworkDriver
import NetworkFrames
import Synchronization

/// A `NetworkDriver` that keeps links and addresses in memory, for the node agent's tests.
///
/// - Records every change and frame the code under test makes (`history`, `sentFrames`), stamped with the
///   injected clock's `now`, so tests can check what happened when.
/// - Behaves like the kernel where the agent can tell: adding or removing an address notifies every
///   `addressChanges()` stream (only when the table changed), unknown links fail with ENODEV, a down link
///   refuses frames with ENETDOWN, captures only see frames of their link and EtherType.
/// - Lets the test play the rest of the world: change links and addresses behind the agent's back
///   (`simulate...`), deliver received frames, install neighbours that answer sent frames, emit raw
///   `AddressChange`s, and make any operation fail.
///
/// Captures wait on the same clock as the agent, so with `VirtualTime` a probe's listening window is
/// virtual too.
final class InMemoryNetworkDriver: NetworkDriver {
    enum Operation: String, Sendable, Hashable, CaseIterable {
        case links, addresses, addAddress, removeAddress, send, capture
        case createMacvlan, deleteLink, setReversePathFilter
        /// `FrameCapture.next` on any capture.
        case receive
    }

    /// What the code under test did through the driver.
    enum Action: Sendable, Hashable {
        case added(LinkAddress)
        case removed(LinkAddress)
        case sent(link: Int32, frame: [UInt8])
    }

    struct Record: Sendable, Hashable {
        var time: Duration
        var action: Action
    }

    struct SentFrame: Sendable, Hashable {
        var time: Duration
        var link: Int32
        var bytes: [UInt8]

        var frame: EthernetFrame? { try? EthernetFrame.decode(bytes) }
    }

    /// One `createMacvlan` call that succeeded.
    struct CreatedMacvlan: Sendable, Hashable {
        var time: Duration
        var name: String
        var parent: Int32
        var hardwareAddress: MACAddress
        /// The index of the link returned (an existing one when it was reused).
        var index: Int32
        var reused: Bool
    }

    /// Another host on a link: sees every frame sent on it and may answer with frames of its own, which
    /// arrive on the same link as if received.
    typealias Neighbor = @Sendable (_ sent: [UInt8], _ link: Int32) -> [[UInt8]]

    private struct Failure {
        var error: NetworkDriverError
        /// Nil: until `stopFailing`.
        var remaining: Int?
    }

    private struct State {
        var links: [NetworkLink]
        var addresses: [LinkAddress]
        var history: [Record] = []
        var calls: [Operation: Int] = [:]
        var failures: [Operation: Failure] = [:]
        var captures: [UInt64: InMemoryFrameCapture] = [:]
        var watchers: [UInt64: AsyncStream<AddressChange>.Continuation] = [:]
        var neighbors: [UInt64: Neighbor] = [:]
        var nextID: UInt64 = 0
        var createdMacvlans: [CreatedMacvlan] = []
        var deletedLinks: [Int32] = []
        var reversePathFilters: [Int32: Int] = [:]

        mutating func identifier() -> UInt64 {
            nextID += 1
            return nextID
        }

        /// Counts the call and throws when a failure is armed for it.
        mutating func enter(_ operation: Operation) throws(NetworkDriverError) {
            calls[operation, default: 0] += 1
            guard var failure = failures[operation] else { return }
            if let remaining = failure.remaining {
                failure.remaining = remaining - 1
                failures[operation] = remaining > 1 ? failure : nil
            }
            throw failure.error
        }
    }

    private let state: Mutex<State>
    let clock: ClientClock

    init(clock: ClientClock, links: [NetworkLink] = [], addresses: [LinkAddress] = []) {
        self.clock = clock
        state = Mutex(State(links: links, addresses: addresses))
    }

    // MARK: NetworkDriver

    func links() async throws(NetworkDriverError) -> [NetworkLink] {
        try state.withLock { state throws(NetworkDriverError) in
            try state.enter(.links)
            return state.links
        }
    }

    func addresses() async throws(NetworkDriverError) -> [LinkAddress] {
        try state.withLock { state throws(NetworkDriverError) in
            try state.enter(.addresses)
            return state.addresses
        }
    }

    func addAddress(_ address: IPAddress, prefixLength: Int, link: Int32) async throws(NetworkDriverError) {
        let entry = LinkAddress(link: link, address: address, prefixLength: prefixLength)
        let watchers = try state.withLock {
            state throws(NetworkDriverError) -> [AsyncStream<AddressChange>.Continuation] in
            try state.enter(.addAddress)
            guard state.links.contains(where: { $0.index == link }) else {
                throw NetworkDriverError(operation: "RTM_NEWADDR", code: Self.noSuchDevice, detail: "no link #\(link)")
            }
            state.history.append(Record(time: clock.now, action: .added(entry)))
            guard !state.addresses.contains(where: { $0.link == link && $0.address == address }) else { return [] }
            state.addresses.append(entry)
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield(.added(entry)) }
    }

    func removeAddress(_ address: IPAddress, prefixLength: Int, link: Int32) async throws(NetworkDriverError) {
        let entry = LinkAddress(link: link, address: address, prefixLength: prefixLength)
        let (removed, watchers) = try state.withLock { state throws(NetworkDriverError) in
            try state.enter(.removeAddress)
            state.history.append(Record(time: clock.now, action: .removed(entry)))
            guard let index = state.addresses.firstIndex(where: { $0.link == link && $0.address == address }) else {
                return (LinkAddress?.none, [AsyncStream<AddressChange>.Continuation]())
            }
            return (state.addresses.remove(at: index), Array(state.watchers.values))
        }
        if let removed {
            for watcher in watchers { watcher.yield(.removed(removed)) }
        }
    }

    func send(frame: [UInt8], link: Int32) async throws(NetworkDriverError) {
        let neighbors = try state.withLock { state throws(NetworkDriverError) in
            try state.enter(.send)
            guard let target = state.links.first(where: { $0.index == link }) else {
                throw NetworkDriverError(operation: "sendto", code: Self.noSuchDevice, detail: "no link #\(link)")
            }
            guard target.isUp else {
                throw NetworkDriverError(operation: "sendto", code: Self.networkDown, detail: "\(target.name) is down")
            }
            state.history.append(Record(time: clock.now, action: .sent(link: link, frame: frame)))
            return Array(state.neighbors.values)
        }
        for neighbor in neighbors {
            for answer in neighbor(frame, link) { deliver(answer, on: link) }
        }
    }

    func capture(link: Int32, etherType: EtherType, filter: CaptureFilter) async throws(NetworkDriverError)
        -> any FrameCapture
    {
        try state.withLock { state throws(NetworkDriverError) in
            try state.enter(.capture)
            guard state.links.contains(where: { $0.index == link }) else {
                throw NetworkDriverError(operation: "bind", code: Self.noSuchDevice, detail: "no link #\(link)")
            }
            let id = state.identifier()
            let capture = InMemoryFrameCapture(
                link: link, etherType: etherType, filter: filter, clock: clock,
                receive: { [weak self] () throws(NetworkDriverError) in
                    try self?.state.withLock { state throws(NetworkDriverError) in try state.enter(.receive) }
                },
                closed: { [weak self] in
                    _ = self?.state.withLock { $0.captures.removeValue(forKey: id) }
                })
            state.captures[id] = capture
            return capture
        }
    }

    func addressChanges() -> AsyncStream<AddressChange> {
        let (stream, continuation) = AsyncStream<AddressChange>.makeStream()
        let id = state.withLock { state in
            let id = state.identifier()
            state.watchers[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Like the kernel: names it would refuse fail with EINVAL, a new macvlan gets a fresh index, and a link
    /// of the same name is reused only when it is a macvlan on the same parent (EEXIST otherwise), and a
    /// missing parent fails with ENODEV (one that is down does not: the kernel allows that too).
    func createMacvlan(
        name: String, parent: Int32, hardwareAddress: MACAddress
    ) async throws(NetworkDriverError) -> NetworkLink {
        try state.withLock { state throws(NetworkDriverError) in
            try state.enter(.createMacvlan)
            let bytes = Array(name.utf8)
            guard (1...15).contains(bytes.count), name != ".", name != "..",
                !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") })
            else {
                throw NetworkDriverError(
                    operation: "RTM_NEWLINK", code: Self.invalidArgument, detail: "invalid link name \"\(name)\"")
            }
            let now = clock.now
            if let position = state.links.firstIndex(where: { $0.name == name }) {
                var existing = state.links[position]
                guard existing.kind == "macvlan", existing.parent == parent else {
                    throw NetworkDriverError(
                        operation: "RTM_NEWLINK", code: Self.exists, detail: "\(existing) is not a macvlan on #\(parent)")
                }
                existing.hardwareAddress = hardwareAddress
                existing.isUp = true
                state.links[position] = existing
                state.createdMacvlans.append(
                    CreatedMacvlan(
                        time: now, name: name, parent: parent, hardwareAddress: hardwareAddress,
                        index: existing.index, reused: true))
                return existing
            }
            guard state.links.contains(where: { $0.index == parent }) else {
                throw NetworkDriverError(operation: "RTM_NEWLINK", code: Self.noSuchDevice, detail: "no link #\(parent)")
            }
            let index = (state.links.map(\.index).max() ?? 0) + 1
            let link = NetworkLink(
                index: index, name: name, hardwareAddress: hardwareAddress, isUp: true, isLoopback: false,
                kind: "macvlan", parent: parent)
            state.links.append(link)
            state.createdMacvlans.append(
                CreatedMacvlan(
                    time: now, name: name, parent: parent, hardwareAddress: hardwareAddress, index: index,
                    reused: false))
            return link
        }
    }

    /// Removes the link and its addresses (each reported removed); a link that is not there succeeds.
    func deleteLink(_ index: Int32) async throws(NetworkDriverError) {
        try state.withLock { state throws(NetworkDriverError) in
            try state.enter(.deleteLink)
            state.deletedLinks.append(index)
        }
        removeLink(index: index)
    }

    func setReversePathFilter(_ mode: Int, link: Int32) async throws(NetworkDriverError) {
        try state.withLock { state throws(NetworkDriverError) in
            try state.enter(.setReversePathFilter)
            guard (0...2).contains(mode) else {
                throw NetworkDriverError(operation: "RTM_SETLINK", code: Self.invalidArgument, detail: "mode \(mode)")
            }
            guard state.links.contains(where: { $0.index == link }) else {
                throw NetworkDriverError(operation: "RTM_SETLINK", code: Self.noSuchDevice, detail: "no link #\(link)")
            }
            state.reversePathFilters[link] = mode
        }
    }

    // MARK: What the code under test did

    /// Successful `createMacvlan` calls, in order.
    var createdMacvlans: [CreatedMacvlan] { state.withLock { $0.createdMacvlans } }
    /// `deleteLink` calls that got past an injected failure, in order (also those for links that were gone).
    var deletedLinks: [Int32] { state.withLock { $0.deletedLinks } }
    /// The last reverse-path filter mode set per link.
    var reversePathFilters: [Int32: Int] { state.withLock { $0.reversePathFilters } }

    var history: [Record] { state.withLock { $0.history } }

    var sentFrames: [SentFrame] {
        history.compactMap { record in
            guard case .sent(let link, let frame) = record.action else { return nil }
            return SentFrame(time: record.time, link: link, bytes: frame)
        }
    }

    /// `addAddress` calls, in order.
    var addedAddresses: [(time: Duration, address: LinkAddress)] {
        history.compactMap { record in
            guard case .added(let address) = record.action else { return nil }
            return (record.time, address)
        }
    }

    /// `removeAddress` calls, in order.
    var removedAddresses: [(time: Duration, address: LinkAddress)] {
        history.compactMap { record in
            guard case .removed(let address) = record.action else { return nil }
            return (record.time, address)
        }
    }

    /// How often an operation was called, failed calls included.
    func calls(_ operation: Operation) -> Int { state.withLock { $0.calls[operation, default: 0] } }

    var currentLinks: [NetworkLink] { state.withLock { $0.links } }
    var currentAddresses: [LinkAddress] { state.withLock { $0.addresses } }
    var openCaptures: Int { state.withLock { $0.captures.count } }
    var addressWatchers: Int { state.withLock { $0.watchers.count } }

    // MARK: The rest of the world

    /// Adds the link, or replaces the one with the same index (renamed, brought up or down).
    func setLink(_ link: NetworkLink) {
        state.withLock { state in
            if let index = state.links.firstIndex(where: { $0.index == link.index }) {
                state.links[index] = link
            } else {
                state.links.append(link)
            }
        }
    }

    /// Deletes the link; like the kernel, its addresses go with it (each reported removed) and its
    /// captures stop receiving.
    func removeLink(index: Int32) {
        let (gone, watchers) = state.withLock { state in
            state.links.removeAll { $0.index == index }
            let gone = state.addresses.filter { $0.link == index }
            state.addresses.removeAll { $0.link == index }
            return (gone, Array(state.watchers.values))
        }
        for address in gone {
            for watcher in watchers { watcher.yield(.removed(address)) }
        }
    }

    /// Someone else (an operator, DHCP, another agent) put an address on a link.
    func simulateAddressAdded(_ address: LinkAddress) {
        let watchers = state.withLock { state -> [AsyncStream<AddressChange>.Continuation] in
            guard !state.addresses.contains(where: { $0.link == address.link && $0.address == address.address }) else {
                return []
            }
            state.addresses.append(address)
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield(.added(address)) }
    }

    /// Someone else removed an address; returns whether it was there.
    @discardableResult
    func simulateAddressRemoved(_ address: IPAddress, link: Int32) -> Bool {
        let (removed, watchers) = state.withLock { state in
            guard let index = state.addresses.firstIndex(where: { $0.link == link && $0.address == address }) else {
                return (LinkAddress?.none, [AsyncStream<AddressChange>.Continuation]())
            }
            return (state.addresses.remove(at: index), Array(state.watchers.values))
        }
        guard let removed else { return false }
        for watcher in watchers { watcher.yield(.removed(removed)) }
        return true
    }

    /// Sends `change` to every `addressChanges()` stream without touching the table (e.g. `.overrun`).
    func emit(_ change: AddressChange) {
        for watcher in state.withLock({ Array($0.watchers.values) }) { watcher.yield(change) }
    }

    /// A frame arrives on `link`: every open capture of the link whose EtherType matches gets it (frames
    /// too short to have an EtherType go to every capture of the link). Returns how many captures got it.
    @discardableResult
    func deliver(_ frame: [UInt8], on link: Int32) -> Int {
        let etherType = frame.count >= 14 ? EtherType(rawValue: UInt16(frame[12]) << 8 | UInt16(frame[13])) : nil
        let captures = state.withLock { state in
            state.captures.values.filter {
                $0.link == link && (etherType == nil || $0.etherType == etherType) && $0.filter.accepts(frame)
            }
        }
        return captures.count(where: { $0.enqueue(frame) })
    }

    /// Installs a neighbour that sees every frame sent from now on; returns a handle for `removeNeighbor`.
    @discardableResult
    func addNeighbor(_ neighbor: @escaping Neighbor) -> UInt64 {
        state.withLock { state in
            let id = state.identifier()
            state.neighbors[id] = neighbor
            return id
        }
    }

    func removeNeighbor(_ id: UInt64) {
        _ = state.withLock { $0.neighbors.removeValue(forKey: id) }
    }

    func removeNeighbors() {
        state.withLock { $0.neighbors.removeAll() }
    }

    /// Makes the next `times` calls of `operation` throw `error`; `times: nil` until `stopFailing`.
    func fail(_ operation: Operation, with error: NetworkDriverError? = nil, times: Int? = 1) {
        let error = error ?? NetworkDriverError(operation: operation.rawValue, code: Self.ioError, detail: "injected")
        state.withLock { $0.failures[operation] = Failure(error: error, remaining: times) }
    }

    func stopFailing(_ operation: Operation) {
        _ = state.withLock { $0.failures.removeValue(forKey: operation) }
    }

    static let ioError: Int32 = 5  // EIO
    static let exists: Int32 = 17  // EEXIST
    static let invalidArgument: Int32 = 22  // EINVAL
    static let noSuchDevice: Int32 = 19  // ENODEV
    static let networkDown: Int32 = 100  // ENETDOWN
}

/// One capture of `InMemoryNetworkDriver`: a queue of delivered frames and at most one waiting `next`.
final class InMemoryFrameCapture: FrameCapture {
    private struct State {
        var queue: [[UInt8]] = []
        var waiter: CheckedContinuation<[UInt8]?, Never>?
        var closed = false
    }

    let link: Int32
    let etherType: EtherType
    let filter: CaptureFilter
    private let clock: ClientClock
    private let receive: @Sendable () throws(NetworkDriverError) -> Void
    private let closed: @Sendable () -> Void
    private let state = Mutex(State())

    fileprivate init(
        link: Int32, etherType: EtherType, filter: CaptureFilter, clock: ClientClock,
        receive: @escaping @Sendable () throws(NetworkDriverError) -> Void, closed: @escaping @Sendable () -> Void
    ) {
        self.link = link
        self.etherType = etherType
        self.filter = filter
        self.clock = clock
        self.receive = receive
        self.closed = closed
    }

    /// Returns false when the capture is closed.
    fileprivate func enqueue(_ frame: [UInt8]) -> Bool {
        let outcome = state.withLock { state -> (Bool, CheckedContinuation<[UInt8]?, Never>?) in
            guard !state.closed else { return (false, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, waiter)
            }
            state.queue.append(frame)
            return (true, nil)
        }
        outcome.1?.resume(returning: frame)
        return outcome.0
    }

    func next(timeout: Duration) async throws(NetworkDriverError) -> [UInt8]? {
        try receive()
        let queued = state.withLock { state -> [UInt8]?? in
            if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
            return state.closed ? .some(nil) : nil
        }
        if let queued { return queued }
        guard timeout > .zero else { return nil }
        let clock = self.clock
        return await withTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                try? await clock.sleep(for: timeout)
                return nil
            }
            group.addTask { await self.waitForFrame() }
            var frame: [UInt8]? = nil
            if let first = await group.next() { frame = first }
            group.cancelAll()
            // A frame that arrived just as the time ran out is returned rather than lost.
            for await late in group where frame == nil { frame = late }
            return frame
        }
    }

    private func waitForFrame() async -> [UInt8]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[UInt8]?, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume(returning: nil) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    func close() async {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
            state.closed = true
            state.queue.removeAll()
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
        closed()
    }
}

extension NetworkLink {
    /// An up Ethernet link, the usual shape in tests.
    static func ethernet(_ index: Int32, _ name: String, _ hardwareAddress: MACAddress, isUp: Bool = true)
        -> NetworkLink
    {
        NetworkLink(index: index, name: name, hardwareAddress: hardwareAddress, isUp: isUp, isLoopback: false)
    }
}
