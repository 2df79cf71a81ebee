import Benchmark
import KubernetesClient
import KubernetesModels
import NIOCore

/// Watch lines decoded exactly as the client decodes them: `WatchEventSequence` (line framing with NIO's
/// `splitLines`, then one `JSONDecoder` pass per line) over the bytes an HTTP body would deliver.
func registerWatchBenchmarks() {
    let oneLine = ByteBuffer(string: Fixtures.watchLine(7))

    Benchmark("Watch 1 line → WatchStreamEvent<KubernetesService> (WatchEventSequence)") { benchmark in
        for _ in benchmark.scaledIterations {
            var events = WatchEventSequence<BufferChunks, KubernetesService>(bytes: BufferChunks([oneLine]))
                .makeAsyncIterator()
            blackHole(try? await events.next())
        }
    } setup: {
        var events = WatchEventSequence<BufferChunks, KubernetesService>(bytes: BufferChunks([oneLine]))
            .makeAsyncIterator()
        guard case .modified(let service) = try await events.next() else {
            fatalError("the watch line did not decode as MODIFIED")
        }
        require(service.metadata.name == "web-7", "decoded the wrong Service")
    }

    Benchmark("Watch 1 line → WatchStreamEvent<JSONValue> (WatchEventSequence)") { benchmark in
        for _ in benchmark.scaledIterations {
            var events = WatchEventSequence<BufferChunks, JSONValue>(bytes: BufferChunks([oneLine]))
                .makeAsyncIterator()
            blackHole(try? await events.next())
        }
    }

    // The closest public path without the sequence: the generic tree, then the typed view of `object`.
    Benchmark("Watch 1 line: JSONValue(parsing:) + decode(as: KubernetesService.self)") { benchmark in
        let bytes = oneLine.readableBytesView
        for _ in benchmark.scaledIterations {
            guard let line = try? JSONValue(parsing: bytes) else { fatalError("watch line does not parse") }
            blackHole(try? line["object"]?.decode(as: KubernetesService.self))
        }
    }

    // A busy stream: 1,000 MODIFIED lines arriving in 16 KiB chunks, so lines straddle chunk boundaries as
    // they do on the wire. One iteration = 1,000 events.
    let stream = Slot<[ByteBuffer]>()
    Benchmark(
        "Watch stream 1,000 lines in 16 KiB chunks → WatchStreamEvent<KubernetesService>",
        configuration: .init(maxIterations: 200)
    ) { benchmark in
        let chunks = stream.unwrapped
        benchmark.startMeasurement()
        var events = WatchEventSequence<BufferChunks, KubernetesService>(bytes: BufferChunks(chunks))
            .makeAsyncIterator()
        var count = 0
        while let event = try? await events.next() {
            blackHole(event)
            count += 1
        }
        benchmark.stopMeasurement()
        require(count == 1_000, "decoded \(count) of 1,000 events")
    } setup: {
        let all = (0..<1_000).map { Fixtures.watchLine($0) }.joined()
        var buffer = ByteBuffer(string: all)
        var chunks: [ByteBuffer] = []
        while let chunk = buffer.readSlice(length: min(16_384, buffer.readableBytes)), chunk.readableBytes > 0 {
            chunks.append(chunk)
        }
        stream.value = chunks
    }
}

/// An HTTP body stand-in: the given chunks, one per `next()`.
struct BufferChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: [ByteBuffer]

    init(_ chunks: [ByteBuffer]) { self.chunks = chunks }

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>

        mutating func next() async -> ByteBuffer? {
            remaining.popFirst()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks[...]) }
}
