#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file descriptor with the few calls persistence needs, each failure carrying errno and the path.
///
/// Plain POSIX rather than `FileHandle` so that `fsync` and `rename` happen exactly when the journal's
/// durability argument says they do.
final class PosixFile {
    let path: String
    private var descriptor: Int32

    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var path: String
        var code: Int32
        var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    }

    enum Mode {
        /// Create or empty the file, then append.
        case truncate
        /// Append, creating the file if needed.
        case append
        case readOnly
    }

    init(path: String, mode: Mode) throws(Failure) {
        self.path = path
        let flags: Int32
        switch mode {
        case .truncate: flags = O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC
        case .append: flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC
        case .readOnly: flags = O_RDONLY | O_CLOEXEC
        }
        descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw Failure(operation: "open", path: path, code: errno) }
    }

    deinit {
        if descriptor >= 0 { _ = closeDescriptor(descriptor) }
    }

    func write(_ bytes: some Collection<UInt8>) throws(Failure) {
        let array = Array(bytes)
        var offset = 0
        while offset < array.count {
            let written = array.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return writeDescriptor(descriptor, base + offset, array.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "write", path: path, code: errno)
            }
            offset += written
        }
    }

    func sync() throws(Failure) {
        guard fsync(descriptor) == 0 else { throw Failure(operation: "fsync", path: path, code: errno) }
    }

    /// Only one process may use a data directory: a second `kube-vip dev` would interleave journal lines.
    /// A lock just released can still be held for a moment by a child process between its fork and its exec
    /// (the descriptor is close-on-exec, but the open file description lives until the exec), so a busy lock
    /// is retried for up to two seconds before it is reported as held by another server.
    func lockExclusively() throws(Failure) {
        var attempts = 0
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            attempts += 1
            guard code == EWOULDBLOCK, attempts < 40 else {
                throw Failure(operation: "lock", path: path, code: code)
            }
            usleep(50_000)
        }
    }

    func close() throws(Failure) {
        guard descriptor >= 0 else { return }
        let result = closeDescriptor(descriptor)
        descriptor = -1
        guard result == 0 else { throw Failure(operation: "close", path: path, code: errno) }
    }

    static func rename(_ source: String, to destination: String) throws(Failure) {
        guard renamePath(source, destination) == 0 else {
            throw Failure(operation: "rename", path: "\(source) to \(destination)", code: errno)
        }
    }

    /// Makes a rename or a new file in `directory` durable.
    static func syncDirectory(_ directory: String) throws(Failure) {
        let file = try PosixFile(path: directory, mode: .readOnly)
        try file.sync()
        try file.close()
    }
}

// File-scope wrappers: inside the class, `close`/`write`/`rename` would name its own methods.
private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func writeDescriptor(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
private func renamePath(_ source: String, _ destination: String) -> Int32 { rename(source, destination) }
