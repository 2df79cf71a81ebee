import NetworkAddresses

/// The gateway found on each interface, so that discovery (seconds of multicast) runs once and again only
/// after a failure says the gateway moved or went away.
///
/// Concurrent callers for one interface share one discovery. The discovery runs in a task the cache owns;
/// each caller waits on a continuation of its own, so a cancelled caller stops waiting at once, and the
/// discovery itself is cancelled when nobody waits for it any more.
public actor GatewayCache {
    private let control: any InternetGatewayControl
    private var gateways: [String: InternetGateway] = [:]
    private var discoveries: [String: Discovery] = [:]
    private var nextToken: UInt64 = 0

    private struct Discovery {
        var token: UInt64
        var source: IPAddress?
        var task: Task<Void, Never>
        var waiters: [UInt64: CheckedContinuation<InternetGateway, any Error>]
    }

    public init(control: any InternetGatewayControl) {
        self.control = control
    }

    /// The cached gateway on `interface`, or one discovered now (from `source`, when this call starts the
    /// discovery). Throws what discovery throws; failures are not cached, so the next call searches again.
    public func gateway(interface: String, source: IPAddress?) async throws -> InternetGateway {
        if let gateway = gateways[interface] { return gateway }
        let waiter = makeToken()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                register(waiter, continuation, interface: interface, source: source)
            }
        } onCancel: {
            Task { await self.cancelWaiter(waiter, interface: interface) }
        }
    }

    /// The gateway cached for `interface`, without discovering.
    public func cachedGateway(interface: String) -> InternetGateway? {
        gateways[interface]
    }

    /// Drops `gateway` from the cache after a call to it failed, so that the next `gateway(interface:source:)`
    /// discovers again. Only that gateway: a failure reported late does not drop a newer discovery's result.
    public func forget(_ gateway: InternetGateway, interface: String) {
        if gateways[interface] == gateway {
            gateways[interface] = nil
        }
    }

    private func makeToken() -> UInt64 {
        nextToken += 1
        return nextToken
    }

    private func register(
        _ waiter: UInt64, _ continuation: CheckedContinuation<InternetGateway, any Error>, interface: String,
        source: IPAddress?
    ) {
        if Task.isCancelled {
            continuation.resume(throwing: CancellationError())
            return
        }
        // A discovery may have finished while this caller was on its way here.
        if let gateway = gateways[interface] {
            continuation.resume(returning: gateway)
            return
        }
        if discoveries[interface] == nil {
            let token = makeToken()
            let control = self.control
            // The source is read back from the actor rather than captured: with this toolchain (6.3.1, Linux) a task
            // that captures an `IPAddress` and awaits an async closure crashed (a jump to null).
            let task = Task {
                let source = self.discoveries[interface].flatMap { $0.token == token ? $0.source : nil }
                let result: Result<InternetGateway, any Error>
                do {
                    result = .success(try await control.discover(interface: interface, source: source))
                } catch {
                    result = .failure(error)
                }
                self.finish(token, interface: interface, result)
            }
            discoveries[interface] = Discovery(token: token, source: source, task: task, waiters: [:])
        }
        discoveries[interface]?.waiters[waiter] = continuation
    }

    private func finish(_ token: UInt64, interface: String, _ result: Result<InternetGateway, any Error>) {
        guard let discovery = discoveries[interface], discovery.token == token else { return }
        discoveries[interface] = nil
        if case .success(let gateway) = result {
            gateways[interface] = gateway
        }
        for continuation in discovery.waiters.values {
            continuation.resume(with: result)
        }
    }

    private func cancelWaiter(_ waiter: UInt64, interface: String) {
        guard let continuation = discoveries[interface]?.waiters.removeValue(forKey: waiter) else { return }
        continuation.resume(throwing: CancellationError())
        if let discovery = discoveries[interface], discovery.waiters.isEmpty {
            discovery.task.cancel()
            discoveries[interface] = nil
        }
    }
}
