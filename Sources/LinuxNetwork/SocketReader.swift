import Foundation
import Glibc
import NetworkDriver
import Synchronization

/// Reads one socket on a dedicated thread until stopped, so that blocking reads never occupy a
/// thread of Swift's cooperative pool (which has only as many threads as cores).
///
/// The thread waits in poll() on the socket and on a wake-up pipe; `stop()` writes to the pipe so
/// the thread leaves at once, and the thread itself closes the socket, so the descriptor can never
/// be closed (and its number reused) while the thread still reads from it.
final class SocketReader: Sendable {
    private let wakePipe: WakePipe

    /// Whether to keep reading after one readable event.
    enum Continuation { case keepReading, stop }

    /// Takes ownership of `socket`: it is closed when the thread ends, also when this throws.
    /// `readable` is called on the reader thread whenever the socket has data or an error
    /// pending; `finished` once at the end, after the socket is closed.
    init(
        socket: Int32, name: String,
        readable: @escaping @Sendable (Int32) -> Continuation,
        finished: @escaping @Sendable () -> Void
    ) throws(NetworkDriverError) {
        let wakePipe: WakePipe
        do {
            wakePipe = try WakePipe(purpose: name)
        } catch {
            close(socket)
            throw error
        }
        self.wakePipe = wakePipe
        let thread = Thread {
            Self.run(socket: socket, wakeReader: wakePipe.reader, readable: readable)
            close(socket)
            wakePipe.close()
            finished()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the thread to finish; it closes the socket and calls `finished`. Safe to call repeatedly.
    func stop() {
        wakePipe.signal()
    }

    private static func run(socket: Int32, wakeReader: Int32, readable: @Sendable (Int32) -> Continuation) {
        var descriptors = [
            pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&descriptors, nfds_t(descriptors.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if descriptors[1].revents != 0 { return }
            if descriptors[0].revents != 0, readable(socket) == .stop { return }
        }
    }
}

/// A pipe whose only job is to wake the reader thread's poll().
private final class WakePipe: Sendable {
    let reader: Int32
    /// -1 once closed, so a late `signal()` never writes to a reused descriptor number.
    private let writer: Mutex<Int32>

    init(purpose: String) throws(NetworkDriverError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw .system("pipe", purpose) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        reader = ends[0]
        writer = Mutex(ends[1])
    }

    func signal() {
        writer.withLock { writer in
            guard writer >= 0 else { return }
            var byte: UInt8 = 1
            _ = write(writer, &byte, 1)
        }
    }

    func close() {
        writer.withLock { writer in
            if writer >= 0 { _ = Glibc.close(writer) }
            writer = -1
        }
        _ = Glibc.close(reader)
    }
}
