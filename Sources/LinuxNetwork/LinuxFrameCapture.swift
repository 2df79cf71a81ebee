import CLinuxNet
import Glibc
import NetworkDriver
import NetworkFrames
import Synchronization

/// Frames of one EtherType received on one link through an AF_PACKET socket, read on its own
/// thread (see `SocketReader`) and handed to `next(timeout:)` callers through a buffer.
final class LinuxFrameCapture: FrameCapture {
    private let inbox: FrameInbox
    private let reader: SocketReader

    /// Takes ownership of `socket` (already bound to the link and EtherType).
    init(socket: Int32, link: Int32, etherType: EtherType) throws(NetworkDriverError) {
        let inbox = FrameInbox()
        self.inbox = inbox
        let buffer = ReceiveBuffer()
        reader = try SocketReader(
            socket: socket, name: "capture #\(link) \(etherType)",
            readable: { socket in Self.drain(socket: socket, buffer: buffer, into: inbox) },
            finished: { inbox.close() })
    }

    deinit {
        reader.stop()
    }

    func next(timeout: Duration) async throws(NetworkDriverError) -> [UInt8]? {
        switch inbox.take() {
        case .frame(let frame): return frame
        case .failed(let error): throw error
        case .closed: return nil
        case .empty: break
        }
        let inbox = self.inbox
        let outcome = await withTaskGroup(of: FrameInbox.Outcome?.self) { group in
            group.addTask { await inbox.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var outcomes: [FrameInbox.Outcome] = []
            // Whichever finishes first ends the wait; the other is cancelled, and a frame that was
            // handed to the waiter just before its cancellation still comes back here, not lost.
            if let first = await group.next() {
                group.cancelAll()
                if let first { outcomes.append(first) }
            }
            for await outcome in group {
                if let outcome { outcomes.append(outcome) }
            }
            return outcomes.first { if case .frame = $0 { true } else { false } }
                ?? outcomes.first { if case .failed = $0 { true } else { false } }
        }
        switch outcome {
        case .frame(let frame): return frame
        case .failed(let error): throw error
        case .closed, .empty, nil: return nil
        }
    }

    func close() async {
        inbox.close()
        reader.stop()
    }

    /// Reads every frame queued on the socket without blocking.
    private static func drain(socket: Int32, buffer: ReceiveBuffer, into inbox: FrameInbox) -> SocketReader.Continuation {
        while true {
            var source = sockaddr_ll()
            var sourceLength = socklen_t(MemoryLayout<sockaddr_ll>.size)
            let count = buffer.bytes.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &source) { address in
                    address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        recvfrom(socket, bytes.baseAddress, bytes.count, clinuxnet_msg_dontwait, address, &sourceLength)
                    }
                }
            }
            if count < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return .keepReading
                case EINTR: continue
                // The link went down; the socket resumes by itself when it comes back up.
                case ENETDOWN: return .keepReading
                default:
                    inbox.fail(.system("recvfrom", "AF_PACKET"))
                    return .stop
                }
            }
            // The kernel also loops the host's own transmissions back to packet sockets.
            if source.sll_pkttype == UInt8(PACKET_OUTGOING) { continue }
            inbox.deliver(Array(buffer.bytes[0..<count]))
        }
    }
}

/// The reader thread's receive buffer, allocated once per capture. Only that one thread touches it,
/// which the compiler cannot see through the `@Sendable` closure that carries it there.
private final class ReceiveBuffer: @unchecked Sendable {
    /// Larger than any frame a link can deliver, jumbo frames included.
    var bytes = [UInt8](repeating: 0, count: 65536)
}

/// Received frames waiting for `next`, and the `next` calls waiting for frames.
final class FrameInbox: Sendable {
    enum Outcome: Sendable {
        case frame([UInt8])
        case failed(NetworkDriverError)
        case closed
        case empty
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Outcome, Never>
    }

    private struct State {
        var frames: [[UInt8]] = []
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var failure: NetworkDriverError?
        var closed = false
    }

    /// A bound so that a capture nobody reads cannot grow without limit; the oldest frames go.
    static let capacity = 4096

    private let state = Mutex(State())

    func take() -> Outcome {
        state.withLock { state in Self.take(from: &state) }
    }

    private static func take(from state: inout State) -> Outcome {
        if !state.frames.isEmpty { return .frame(state.frames.removeFirst()) }
        if let failure = state.failure { return .failed(failure) }
        if state.closed { return .closed }
        return .empty
    }

    /// The next frame (or the end); returns `.empty` when the calling task is cancelled first.
    func wait() async -> Outcome {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                state.withLock { state in
                    let outcome = Self.take(from: &state)
                    if case .empty = outcome, !Task.isCancelled {
                        state.waiters.append(Waiter(id: id, continuation: continuation))
                    } else {
                        continuation.resume(returning: outcome)
                    }
                }
            }
        } onCancel: {
            state.withLock { state in
                if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                    state.waiters.remove(at: index).continuation.resume(returning: .empty)
                }
            }
        }
    }

    func deliver(_ frame: [UInt8]) {
        state.withLock { state in
            if state.closed { return }
            if !state.waiters.isEmpty {
                state.waiters.removeFirst().continuation.resume(returning: .frame(frame))
                return
            }
            if state.frames.count >= Self.capacity { state.frames.removeFirst() }
            state.frames.append(frame)
        }
    }

    func fail(_ error: NetworkDriverError) {
        state.withLock { state in
            state.failure = error
            for waiter in state.waiters { waiter.continuation.resume(returning: .failed(error)) }
            state.waiters = []
        }
    }

    func close() {
        state.withLock { state in
            state.closed = true
            state.frames = []
            for waiter in state.waiters { waiter.continuation.resume(returning: .closed) }
            state.waiters = []
        }
    }
}
