import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `kube-vip` child of the benchmark, whose output is read line by line as it arrives.
///
/// Output comes through pipe readability handlers and the exit through the termination handler, both turned
/// into events, so no thread of the (2-core) cooperative pool blocks on a pipe while the children need the CPU.
/// The exit itself ends the output: the other child may have inherited a copy of this one's pipe write ends,
/// so an end-of-file could arrive late or never.
final class ChildProcess: Sendable {
    enum Stream: Sendable, CustomStringConvertible {
        case stdout, stderr
        var description: String { self == .stdout ? "stdout" : "stderr" }
    }

    let name: String
    let pid: Int32
    private let process: Process
    private let output: OutputState

    /// Starts `executable arguments...` with `environment`; stdin is /dev/null.
    init(name: String, executable: String, arguments: [String], environment: [String: String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        let output = OutputState()
        let readEnds: [(FileHandle, Stream)] = [
            (stdoutPipe.fileHandleForReading, .stdout), (stderrPipe.fileHandleForReading, .stderr),
        ]
        process.terminationHandler = { finished in
            for (handle, stream) in readEnds {
                handle.readabilityHandler = nil
                output.received(Self.drain(handle), on: stream)
            }
            output.exited(finished.terminationStatus)
        }
        for (handle, stream) in readEnds {
            handle.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty { handle.readabilityHandler = nil }
                output.received(data, on: stream)
            }
        }
        try process.run()
        self.name = name
        self.pid = process.processIdentifier
        self.process = process
        self.output = output
    }

    /// Every line of `stream`, those already written first, until the child exits.
    func lines(on stream: Stream) -> AsyncStream<String> {
        let (lines, continuation) = AsyncStream<String>.makeStream()
        let output = output
        let id = output.state.withLock { state in
            let id = state.nextListener
            state.nextListener += 1
            for line in state.lines[stream] ?? [] { continuation.yield(line) }
            if state.exitStatus != nil {
                continuation.finish()
            } else {
                state.lineListeners[id] = (stream, continuation)
            }
            return id
        }
        continuation.onTermination = { _ in
            _ = output.state.withLock { $0.lineListeners.removeValue(forKey: id) }
        }
        return lines
    }

    /// The first line of `stream` that satisfies `matches`, waiting for it. Throws when the child exits first,
    /// or after `timeout` (a safety net: a child that hangs must not hang the benchmark).
    func firstLine(
        on stream: Stream, timeout: Duration, where matches: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        let lines = lines(on: stream)
        let found = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                for await line in lines where matches(line) { return line }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        if let found { return found }
        if output.state.withLock({ $0.exitStatus }) != nil {
            throw BenchmarkFailure.childEnded(name, waitingFor: "a line on \(stream)", stderr: stderrTail())
        }
        throw BenchmarkFailure.timedOut(
            "\(name): no expected line on \(stream) within \(timeout)", stderr: stderrTail())
    }

    /// The last lines the child wrote to stderr, for error messages.
    func stderrTail(lines count: Int = 20) -> String {
        output.state.withLock { state in
            var tail = Array((state.lines[.stderr] ?? []).suffix(count))
            if let partial = state.partial[.stderr], !partial.isEmpty {
                tail.append(String(decoding: partial, as: UTF8.self))
            }
            return tail.joined(separator: "\n")
        }
    }

    /// Everything the child has written on `stream` so far, line by line (a last line without its newline
    /// included).
    func allLines(on stream: Stream) -> [String] {
        output.state.withLock { state in
            var lines = state.lines[stream] ?? []
            if let partial = state.partial[stream], !partial.isEmpty {
                lines.append(String(decoding: partial, as: UTF8.self))
            }
            return lines
        }
    }

    /// Waits for the child to end by itself and returns its exit status; after `timeout` it is killed and
    /// nil is returned.
    func exitStatus(within timeout: Duration) async -> Int32? {
        let pid = pid
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.waitForExit()
                return false
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return false }
                // The wait above cannot be cancelled; it returns once the kill lands.
                _ = kill(pid, SIGKILL)
                return true
            }
            var timedOut = false
            for await result in group {
                timedOut = timedOut || result
                group.cancelAll()
            }
            return timedOut
        }
        return timedOut ? nil : output.state.withLock { $0.exitStatus }
    }

    /// Kills the child (SIGKILL: the data it holds is throw-away, and a child of a process with blocked
    /// signals may ignore SIGTERM) and waits for its exit; `timeout` is a safety net.
    func terminate(timeout: Duration = .seconds(10)) async {
        if output.state.withLock({ $0.exitStatus }) == nil {
            _ = kill(pid, SIGKILL)
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForExit() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForExit() async {
        await withCheckedContinuation { continuation in
            let exited = output.state.withLock { state in
                if state.exitStatus != nil { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }

    /// Reads what a pipe holds right now without waiting for more (see the type's comment on why not to EOF).
    private static func drain(_ handle: FileHandle) -> Data {
        let descriptor = handle.fileDescriptor
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while poll(&request, 1, 0) == 1, request.revents & Int16(POLLIN) != 0 {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[..<count])
        }
        return data
    }
}

/// What a child wrote and whether it exited, shared with Foundation's handler threads.
private final class OutputState: Sendable {
    typealias Stream = ChildProcess.Stream

    struct State {
        var partial: [Stream: Data] = [.stdout: Data(), .stderr: Data()]
        var lines: [Stream: [String]] = [.stdout: [], .stderr: []]
        var exitStatus: Int32?
        var lineListeners: [Int: (stream: Stream, continuation: AsyncStream<String>.Continuation)] = [:]
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        var nextListener = 0
    }

    let state = Mutex(State())

    // MARK: Output handling (called from Foundation's handler threads)

    func received(_ data: Data, on stream: Stream) {
        guard !data.isEmpty else { return }
        let (newLines, listeners) = state.withLock { state in
            var buffer = state.partial[stream] ?? Data()
            buffer.append(data)
            var newLines: [String] = []
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                newLines.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer = Data(buffer[buffer.index(after: newline)...])
            }
            state.partial[stream] = buffer
            state.lines[stream, default: []].append(contentsOf: newLines)
            let listeners = state.lineListeners.values.filter { $0.stream == stream }.map(\.continuation)
            return (newLines, listeners)
        }
        for listener in listeners {
            for line in newLines { listener.yield(line) }
        }
    }

    func exited(_ status: Int32) {
        let (listeners, waiters) = state.withLock { state in
            state.exitStatus = status
            let waiters = state.exitWaiters
            state.exitWaiters = []
            return (state.lineListeners.values.map(\.continuation), waiters)
        }
        for listener in listeners { listener.finish() }
        for waiter in waiters { waiter.resume() }
    }
}
