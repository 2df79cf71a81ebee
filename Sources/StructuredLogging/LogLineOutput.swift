import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where finished lines go. A value with a closure, so that tests collect lines in memory while the program
/// writes them to standard error, through the same handler.
public struct LogLineOutput: Sendable {
    private let writeLine: @Sendable ([UInt8]) -> Void

    public init(_ writeLine: @escaping @Sendable ([UInt8]) -> Void) {
        self.writeLine = writeLine
    }

    public func write(_ line: [UInt8]) {
        writeLine(line)
    }

    /// Standard error, one `write(2)` per line under a process-wide lock: a line longer than the pipe's atomic
    /// size may need several calls, and the lock keeps another task's line from landing between them.
    public static let standardError = LogLineOutput { line in
        StandardError.lock.withLock { _ in StandardError.writeAll(line) }
    }
}

private enum StandardError {
    static let lock = Mutex(())

    /// Never throws and never gives up on a short write; stops only on an error other than EINTR/EAGAIN,
    /// since a log line that cannot be written has nowhere else to be reported. A non-blocking stderr that
    /// is full is waited for with poll(2) rather than spun on.
    static func writeAll(_ line: [UInt8]) {
        line.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(STDERR_FILENO, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    var descriptor = pollfd(fd: STDERR_FILENO, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&descriptor, 1, -1)
                } else {
                    return
                }
            }
        }
    }

    private static func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(descriptor, pointer, count)
        #else
            Darwin.write(descriptor, pointer, count)
        #endif
    }
}
