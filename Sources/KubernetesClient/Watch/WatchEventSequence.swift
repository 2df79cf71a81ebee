import KubernetesModels
import NIOCore

/// The events of one watch connection, framed by line and decoded one line at a time as bytes arrive.
///
/// Lines are found with NIO's `splitLines`, which keeps partial lines across chunk boundaries without
/// copying byte by byte. The sequence ends when the server ends the response (its `timeoutSeconds` ran
/// out); dropping the iterator closes the connection.
public struct WatchEventSequence<Base: AsyncSequence & Sendable, Object: Decodable & Sendable>: AsyncSequence, Sendable
where Base.Element == ByteBuffer {
    public typealias Element = WatchStreamEvent<Object>

    /// One object can be up to ~1.5 MiB in etcd; a longer line means a broken stream.
    public static var maximumLineBytes: Int { 16 * 1024 * 1024 }

    let base: Base

    public init(bytes base: Base) {
        self.base = base
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var lines: NIODecodedAsyncSequence<Base, NIOSplitLinesMessageDecoder>.AsyncIterator

        public mutating func next() async throws -> WatchStreamEvent<Object>? {
            guard let line = try await lines.next() else { return nil }
            return try WatchLine<Object>.decode(line.readableBytesView)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(lines: base.splitLines(maximumBufferSize: Self.maximumLineBytes).makeAsyncIterator())
    }
}
