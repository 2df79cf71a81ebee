import NetworkAddresses
import Synchronization
import Testing
import UPnP

/// An `InternetGatewayControl` whose discoveries wait until the test lets them finish, and count.
final class ScriptedControl: InternetGatewayControl {
    struct State {
        var discoveries = 0
        var cancelledDiscoveries = 0
        var results: [Result<InternetGateway, UPnPFailure>] = []
    }

    let state = Mutex(State())
    /// Yields once per discovery that started; a discovery then waits for one element of `release`.
    let started: AsyncStream<Void>
    private let startedContinuation: AsyncStream<Void>.Continuation
    private let release: AsyncStream<Void>
    private let releaseContinuation: AsyncStream<Void>.Continuation

    init(results: [Result<InternetGateway, UPnPFailure>]) {
        (started, startedContinuation) = AsyncStream<Void>.makeStream()
        (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        state.withLock { $0.results = results }
    }

    var discoveries: Int { state.withLock { $0.discoveries } }
    var cancelledDiscoveries: Int { state.withLock { $0.cancelledDiscoveries } }

    /// Lets one waiting (or the next) discovery finish.
    func finishOneDiscovery() { releaseContinuation.yield() }

    func discover(interface: String, source: IPAddress?) async throws -> InternetGateway {
        let result = state.withLock { state in
            state.discoveries += 1
            return state.results.isEmpty ? .failure(.noGateway("script ended")) : state.results.removeFirst()
        }
        startedContinuation.yield()
        var iterator = release.makeAsyncIterator()
        guard await iterator.next() != nil, !Task.isCancelled else {
            state.withLock { $0.cancelledDiscoveries += 1 }
            throw CancellationError()
        }
        return try result.get()
    }

    func externalAddress(of gateway: InternetGateway, source: IPAddress?) async throws -> IPAddress {
        TestAddresses.gateway
    }
    func addPortMapping(_ mapping: PortMapping, on gateway: InternetGateway, source: IPAddress?) async throws {}
    func portMapping(
        externalPort: UInt16, protocol: PortMappingProtocol, on gateway: InternetGateway, source: IPAddress?
    )
        async throws -> PortMapping?
    { nil }
    func deletePortMapping(
        externalPort: UInt16, protocol: PortMappingProtocol, on gateway: InternetGateway, source: IPAddress?
    )
        async throws
    {}
}

@Suite("Gateway cache", .timeLimit(.minutes(1)))
struct GatewayCacheTests {
    static let other = InternetGateway(
        serviceType: WANConnectionService.ipConnection1,
        control: HTTPEndpoint(host: IPAddress(ipv4: 0xC633_6401), port: 49000),
        controlPath: "/upnp/control/WANIPConn1", descriptionLocation: "http://198.51.100.1:49000/igd.xml")

    @Test func concurrentCallersShareOneDiscovery() async throws {
        let control = ScriptedControl(results: [.success(.miniupnpd), .success(Self.other)])
        let cache = GatewayCache(control: control)
        try await withThrowingTaskGroup(of: InternetGateway.self) { group in
            for _ in 0..<10 {
                group.addTask { try await cache.gateway(interface: "eth0", source: nil) }
            }
            var started = control.started.makeAsyncIterator()
            _ = await started.next()
            control.finishOneDiscovery()
            for try await gateway in group {
                #expect(gateway == .miniupnpd)
            }
        }
        #expect(control.discoveries == 1)
        #expect(await cache.cachedGateway(interface: "eth0") == .miniupnpd)
    }

    @Test func cachedGatewayIsReturnedWithoutDiscovery() async throws {
        let control = ScriptedControl(results: [.success(.miniupnpd)])
        control.finishOneDiscovery()
        let cache = GatewayCache(control: control)
        _ = try await cache.gateway(interface: "eth0", source: nil)
        #expect(try await cache.gateway(interface: "eth0", source: nil) == .miniupnpd)
        #expect(control.discoveries == 1)
    }

    @Test func forgetLeadsToRediscovery() async throws {
        let control = ScriptedControl(results: [.success(.miniupnpd), .success(Self.other)])
        control.finishOneDiscovery()
        control.finishOneDiscovery()
        let cache = GatewayCache(control: control)
        #expect(try await cache.gateway(interface: "eth0", source: nil) == .miniupnpd)
        await cache.forget(.miniupnpd, interface: "eth0")
        #expect(await cache.cachedGateway(interface: "eth0") == nil)
        #expect(try await cache.gateway(interface: "eth0", source: nil) == Self.other)
        #expect(control.discoveries == 2)
    }

    @Test func forgettingAnOlderGatewayKeepsTheCurrentOne() async throws {
        let control = ScriptedControl(results: [.success(.miniupnpd)])
        control.finishOneDiscovery()
        let cache = GatewayCache(control: control)
        _ = try await cache.gateway(interface: "eth0", source: nil)
        await cache.forget(Self.other, interface: "eth0")
        #expect(await cache.cachedGateway(interface: "eth0") == .miniupnpd)
    }

    @Test func interfacesAreCachedSeparately() async throws {
        let control = ScriptedControl(results: [.success(.miniupnpd), .success(Self.other)])
        control.finishOneDiscovery()
        control.finishOneDiscovery()
        let cache = GatewayCache(control: control)
        #expect(try await cache.gateway(interface: "eth0", source: nil) == .miniupnpd)
        #expect(try await cache.gateway(interface: "eth1", source: nil) == Self.other)
        #expect(try await cache.gateway(interface: "eth0", source: nil) == .miniupnpd)
        #expect(control.discoveries == 2)
    }

    @Test func failuresAreNotCached() async throws {
        let control = ScriptedControl(results: [.failure(.noGateway("nothing")), .success(.miniupnpd)])
        control.finishOneDiscovery()
        control.finishOneDiscovery()
        let cache = GatewayCache(control: control)
        await #expect(throws: UPnPFailure.noGateway("nothing")) {
            try await cache.gateway(interface: "eth0", source: nil)
        }
        #expect(try await cache.gateway(interface: "eth0", source: nil) == .miniupnpd)
        #expect(control.discoveries == 2)
    }

    @Test func cancelledCallerStopsWaitingAndTheUnwantedDiscoveryIsCancelled() async throws {
        let control = ScriptedControl(results: [.success(.miniupnpd)])
        let cache = GatewayCache(control: control)
        let caller = Task { try await cache.gateway(interface: "eth0", source: nil) }
        var started = control.started.makeAsyncIterator()
        _ = await started.next()
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        // The discovery task was cancelled: its wait ends without a release.
        while control.cancelledDiscoveries == 0 { await Task.yield() }
        #expect(await cache.cachedGateway(interface: "eth0") == nil)
    }

    @Test func oneCancelledCallerLeavesTheOthersTheirDiscovery() async throws {
        let control = ScriptedControl(results: [.success(.miniupnpd)])
        let cache = GatewayCache(control: control)
        let leaving = Task { try await cache.gateway(interface: "eth0", source: nil) }
        let staying = Task { try await cache.gateway(interface: "eth0", source: nil) }
        var started = control.started.makeAsyncIterator()
        _ = await started.next()
        leaving.cancel()
        await #expect(throws: CancellationError.self) { try await leaving.value }
        control.finishOneDiscovery()
        #expect(try await staying.value == .miniupnpd)
        #expect(control.discoveries == 1)
    }
}
